import Foundation

/// A1111's inpaint mask blur (`mask_blur_x`, `mask_blur_y`): a horizontal then a vertical 1-D
/// Gaussian on the 8-bit mask, as `cv2.GaussianBlur(mask, (k, 1), σx)` and `(1, k)`, σy,
/// with `k = 2·int(2.5·σ + 0.5) + 1` and OpenCV's reflect-101 border. Uses OpenCV's bit-exact
/// 8-bit path: the kernel in 8-bit fixed point (error-diffused rounding, centre tap takes the
/// remainder) and `(Σ k·v + 128) >> 8` per pass.
public struct MaskBlur: Sendable, Equatable {
    public let x: Double
    public let y: Double

    /// `mask_blur` sets both axes.
    public init(_ blur: Double) throws { try self.init(x: blur, y: blur) }

    public init(x: Double, y: Double) throws {
        for (name, value) in [("mask_blur_x", x), ("mask_blur_y", y)] where !(value >= 0 && value.isFinite) {
            throw ImageOpsError.invalidParameter(name: name, problem: "\(value) must be a finite value ≥ 0")
        }
        self.x = x
        self.y = y
    }

    /// A1111's kernel size for a blur value: `2·int(2.5·σ + 0.5) + 1` (blur 4 → 21).
    public static func kernelSize(for sigma: Double) -> Int { 2 * Int(2.5 * sigma + 0.5) + 1 }

    public func apply(_ mask: GreyImage) -> GreyImage {
        var out = mask
        if x > 0 {
            let kernel = Self.fixedPointKernel(size: Self.kernelSize(for: x), sigma: x)
            for row in 0..<mask.height {
                Self.filterLine(&out.pixels, start: row * mask.width, stride: 1, count: mask.width, kernel: kernel)
            }
        }
        if y > 0 {
            let kernel = Self.fixedPointKernel(size: Self.kernelSize(for: y), sigma: y)
            for column in 0..<mask.width {
                Self.filterLine(&out.pixels, start: column, stride: mask.width, count: mask.height, kernel: kernel)
            }
        }
        return out
    }

    /// OpenCV's `getGaussianKernelBitExact` + `getGaussianKernelFixedPoint_ED` with 8 fraction bits.
    static func fixedPointKernel(size: Int, sigma: Double) -> [Int] {
        let half = (size - 1) / 2
        let scale = -0.125 / (sigma * sigma)
        var values = [Double]()
        var sum = 0.0
        var position = 1 - size
        for _ in 0..<half {
            let t = exp(Double(position * position) * scale)
            values.append(t)
            sum += t
            position += 2
        }
        sum = sum * 2 + 1
        let multiplier = 1 / sum
        var kernel = [Int](repeating: 0, count: size)
        var error = 0.0
        var total = 0
        for i in 0..<half {
            let adjusted = values[i] * multiplier * 256 + error
            let rounded = Int(adjusted.rounded(.toNearestOrEven))
            error = adjusted - Double(rounded)
            kernel[i] = rounded
            kernel[size - 1 - i] = rounded
            total += rounded
        }
        kernel[half] = 256 - 2 * total
        return kernel
    }

    static func filterLine(_ data: inout [UInt8], start: Int, stride: Int, count: Int, kernel: [Int]) {
        let half = kernel.count / 2
        let line = (0..<count).map { Int(data[start + $0 * stride]) }
        for index in 0..<count {
            var sum = 0
            for k in 0..<kernel.count {
                sum += kernel[k] * line[BorderMode.reflect101.resolve(index + k - half, count: count)]
            }
            data[start + index * stride] = UInt8(min(255, (sum + 128) >> 8))
        }
    }
}
