import Foundation
import TesseraImaging

/// Pillow's `ImageFilter.GaussianBlur(radius)`: three passes of an extended box blur per axis
/// (Gwosdek et al.), on 8-bit samples with 24-bit fixed-point weights and clamped edges.
/// A1111 uses it for the "fill" masked content and for inpaint-sketch strokes.
public struct PillowGaussianBlur: Sendable, Equatable {
    /// The Gaussian "radius" as Pillow names it (its standard deviation).
    public let radius: Float
    /// Box passes per axis; Pillow always uses 3.
    public let passes: Int

    public init(radius: Float, passes: Int = 3) throws {
        guard radius >= 0, radius.isFinite else {
            throw ImageOpsError.invalidParameter(name: "blur radius", problem: "\(radius) must be a finite value ≥ 0")
        }
        guard passes >= 1 else { throw ImageOpsError.invalidParameter(name: "blur passes", problem: "\(passes) must be ≥ 1") }
        self.radius = radius
        self.passes = passes
    }

    /// The fractional box radius equivalent to the Gaussian (Pillow's `_gaussian_blur_radius`, float maths).
    var boxRadius: Float {
        let sigma2: Float = radius * radius / Float(passes)
        let boxLength = Float((12.0 * Double(sigma2) + 1.0).squareRoot())
        let whole = Float(floor((Double(boxLength) - 1.0) / 2.0))
        var fraction: Float = (2 * whole + 1) * (whole * (whole + 1) - 3 * sigma2)
        fraction /= 6 * (sigma2 - (whole + 1) * (whole + 1))
        return whole + fraction
    }

    public func apply(_ image: RGBAImage) -> RGBAImage {
        var out = image
        out.pixels = blur(image.pixels, width: image.width, height: image.height, channels: 4)
        return out
    }

    public func apply(_ image: GreyImage) -> GreyImage {
        var out = image
        out.pixels = blur(image.pixels, width: image.width, height: image.height, channels: 1)
        return out
    }

    func blur(_ samples: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        let box = boxRadius
        if box == 0 || width == 0 || height == 0 { return samples }
        var data = samples
        // Pillow runs all horizontal passes, then all vertical ones, rounding to 8 bits after each.
        for _ in 0..<passes {
            for y in 0..<height {
                for channel in 0..<channels {
                    boxBlurLine(&data, start: y * width * channels + channel, stride: channels, count: width, radius: box)
                }
            }
        }
        for _ in 0..<passes {
            for x in 0..<width {
                for channel in 0..<channels {
                    boxBlurLine(&data, start: x * channels + channel, stride: width * channels, count: height, radius: box)
                }
            }
        }
        return data
    }

    /// One box-blur pass along a line (Pillow's `ImagingLineBoxBlur`): the whole taps get weight
    /// `ww`, the two fractional end taps `fw`, in 24-bit fixed point; indices clamp to the line.
    private func boxBlurLine(_ data: inout [UInt8], start: Int, stride: Int, count: Int, radius floatRadius: Float) {
        let radius = Int(floatRadius)
        let ww = UInt64(Float(1 << 24) / (floatRadius * 2 + 1))
        let fw = (UInt64(1 << 24) - UInt64(radius * 2 + 1) * ww) / 2
        // prefix[i] = sum of line[clamp(k)] for k in -(radius+1) ..< i-(radius+1)
        let extended = count + 2 * radius + 2
        var line = [UInt64](repeating: 0, count: count)
        for index in 0..<count { line[index] = UInt64(data[start + index * stride]) }
        @inline(__always) func sample(_ k: Int) -> UInt64 { line[min(max(k, 0), count - 1)] }
        var prefix = [UInt64](repeating: 0, count: extended + 1)
        for i in 0..<extended { prefix[i + 1] = prefix[i] + sample(i - radius - 1) }
        for x in 0..<count {
            // window k in [x - radius, x + radius] → extended indices [x + 1, x + 2·radius + 1]
            let accumulated = prefix[x + 2 * radius + 2] - prefix[x + 1]
            let bulk = accumulated * ww + (sample(x - radius - 1) + sample(x + radius + 1)) * fw
            data[start + x * stride] = UInt8(truncatingIfNeeded: min(255, (bulk + (1 << 23)) >> 24))
        }
    }
}
