/// `cv2.GaussianBlur(image, (0, 0), σ)` on 8-bit RGB with OpenCV's bit-exact fixed-point path:
/// kernel size `round(6σ + 1) | 1`, 8-bit fixed-point taps, horizontal sums kept at 8 fraction
/// bits, vertical sums at 16, one rounding at the end; reflect-101 border.
public struct OpenCVGaussianBlur8Bit: Sendable, Equatable {
    public let sigma: Double

    public init(sigma: Double) throws {
        guard sigma > 0, sigma.isFinite else {
            throw ImageOpsError.invalidParameter(name: "gaussian sigma", problem: "\(sigma) must be a finite value > 0")
        }
        self.sigma = sigma
    }

    public func apply(_ image: RGBAImage) -> RGBAImage {
        let size = Int((sigma * 3 * 2 + 1).rounded()) | 1
        let kernel = MaskBlur.fixedPointKernel(size: size, sigma: sigma)
        let half = size / 2
        let w = image.width, h = image.height
        var out = PillowPixelMath.opaque(image)
        guard w > 0, h > 0 else { return out }
        let columnTaps = (0..<w).map { x in (0..<size).map { BorderMode.reflect101.resolve(x + $0 - half, count: w) } }
        let rowTaps = (0..<h).map { y in (0..<size).map { BorderMode.reflect101.resolve(y + $0 - half, count: h) } }
        for channel in 0..<3 {
            var horizontal = [Int](repeating: 0, count: w * h)
            for y in 0..<h {
                for x in 0..<w {
                    var sum = 0
                    let taps = columnTaps[x]
                    for k in 0..<size { sum += kernel[k] * Int(image.pixels[(y * w + taps[k]) * 4 + channel]) }
                    horizontal[y * w + x] = sum
                }
            }
            for y in 0..<h {
                let taps = rowTaps[y]
                for x in 0..<w {
                    var sum = 0
                    for k in 0..<size { sum += kernel[k] * horizontal[taps[k] * w + x] }
                    out.pixels[(y * w + x) * 4 + channel] = UInt8(min(255, (sum + (1 << 15)) >> 16))
                }
            }
        }
        return out
    }
}

import TesseraImaging
