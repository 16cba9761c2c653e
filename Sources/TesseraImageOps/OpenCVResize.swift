import Foundation
import TesseraImaging

/// `cv2.resize` on 8-bit RGB for the interpolations the ControlNet extension uses, following
/// OpenCV's own (non-IPP) code: INTER_CUBIC with its 11-bit fixed-point weights and float32
/// vertical pass, INTER_AREA with its area tables (summed here in Double rather than float, so a
/// rare sample can differ by one level). x86 builds of OpenCV that run Intel IPP resize bicubically
/// with ±1 differences of their own. Alpha is set to 255 (ControlNet maps are RGB).
public enum OpenCVResize {
    public enum Interpolation: String, Sendable, CaseIterable {
        case nearest
        case cubic
        case area
    }

    /// One output sample of an axis: source indices and weights.
    struct Taps {
        var indices: [Int]
        var weights: [Double]
    }

    public static func resize(_ image: RGBAImage, width: Int, height: Int, interpolation: Interpolation) throws -> RGBAImage {
        guard width > 0, height > 0 else {
            throw ImageOpsError.invalidParameter(name: "resize target", problem: "\(width)x\(height) must be positive")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "resize source", problem: "the image is empty")
        }
        if width == image.width && height == image.height { return PillowPixelMath.opaque(image) }
        switch interpolation {
        case .nearest:
            return nearest(image, width: width, height: height)
        case .cubic:
            return cubic(image, width: width, height: height)
        case .area:
            let scaleX = Double(image.width) / Double(width), scaleY = Double(image.height) / Double(height)
            if scaleX >= 1 && scaleY >= 1 {
                if image.width == width * 2 && image.height == height * 2 {
                    // OpenCV's 2×2 fast path: (a + b + c + d + 2) >> 2.
                    let columns = (0..<width).map { Taps(indices: [2 * $0, 2 * $0 + 1], weights: [1, 1]) }
                    let rows = (0..<height).map { Taps(indices: [2 * $0, 2 * $0 + 1], weights: [1, 1]) }
                    return separable(image, width: width, height: height, columns: columns, rows: rows) { sum in
                        UInt8((Int(sum) + 2) >> 2)
                    }
                }
                let columns = areaTaps(source: image.width, target: width)
                let rows = areaTaps(source: image.height, target: height)
                return separable(image, width: width, height: height, columns: columns, rows: rows) { value in
                    UInt8(max(0, min(255, value.rounded(.toNearestOrEven))))
                }
            }
            // OpenCV's INTER_AREA when enlarging: linear weights from the area rule.
            let columns = areaEnlargeTaps(source: image.width, target: width)
            let rows = areaEnlargeTaps(source: image.height, target: height)
            return separable(image, width: width, height: height, columns: columns, rows: rows) { value in
                UInt8(max(0, min(255, value.rounded(.toNearestOrEven))))
            }
        }
    }

    /// Horizontal pass in exact integers (weights ×2048); vertical pass as OpenCV's SIMD path does it:
    /// float32 multiply-adds with the weights scaled by 2^-22, rounded half to even.
    static func cubic(_ image: RGBAImage, width: Int, height: Int) -> RGBAImage {
        let columns = cubicTaps(source: image.width, target: width)
        let rows = cubicTaps(source: image.height, target: height)
        var horizontal = [Int32](repeating: 0, count: image.height * width * 3)
        for y in 0..<image.height {
            for x in 0..<width {
                let taps = columns[x]
                for channel in 0..<3 {
                    var sum: Int32 = 0
                    for k in 0..<4 {
                        sum += Int32(taps.weights[k] * 2048) * Int32(image.pixels[(y * image.width + taps.indices[k]) * 4 + channel])
                    }
                    horizontal[(y * width + x) * 3 + channel] = sum
                }
            }
        }
        let scale: Float = 1 / Float(1 << 22)
        var out = RGBAImage(width: width, height: height)
        for y in 0..<height {
            let taps = rows[y]
            let b = (0..<4).map { Float(taps.weights[$0] * 2048) * scale }
            let r = taps.indices.map { $0 * width * 3 }
            for x in 0..<width {
                for channel in 0..<3 {
                    let offset = x * 3 + channel
                    let s3 = Float(horizontal[r[3] + offset]) * b[3]
                    let s2 = Float(horizontal[r[2] + offset]) * b[2] + s3
                    let s1 = Float(horizontal[r[1] + offset]) * b[1] + s2
                    let value = Float(horizontal[r[0] + offset]) * b[0] + s1
                    out.pixels[(y * width + x) * 4 + channel] = UInt8(max(0, min(255, value.rounded(.toNearestOrEven))))
                }
            }
        }
        return out
    }

    static func nearest(_ image: RGBAImage, width: Int, height: Int) -> RGBAImage {
        let fx = 1 / (Double(width) / Double(image.width)), fy = 1 / (Double(height) / Double(image.height))
        var out = RGBAImage(width: width, height: height)
        for y in 0..<height {
            let sy = min(Int(floor(Double(y) * fy)), image.height - 1)
            for x in 0..<width {
                let sx = min(Int(floor(Double(x) * fx)), image.width - 1)
                for channel in 0..<3 {
                    out.pixels[(y * width + x) * 4 + channel] = image.pixels[(sy * image.width + sx) * 4 + channel]
                }
            }
        }
        return out
    }

    /// OpenCV's bicubic (A = −0.75) taps, float maths, weights quantised to 1/2048, replicated border.
    static func cubicTaps(source: Int, target: Int) -> [Taps] {
        let scale = 1 / (Double(target) / Double(source))
        let a: Float = -0.75
        return (0..<target).map { dx in
            var fx = Float((Double(dx) + 0.5) * scale - 0.5)
            let sx = Int(floor(fx))
            fx -= Float(sx)
            var c = [Float](repeating: 0, count: 4)
            c[0] = ((a * (fx + 1) - 5 * a) * (fx + 1) + 8 * a) * (fx + 1) - 4 * a
            c[1] = ((a + 2) * fx - (a + 3)) * fx * fx + 1
            c[2] = ((a + 2) * (1 - fx) - (a + 3)) * (1 - fx) * (1 - fx) + 1
            c[3] = 1 - c[0] - c[1] - c[2]
            let indices = (0..<4).map { min(max(sx + $0 - 1, 0), source - 1) }
            let weights = c.map { Double(Int(($0 * 2048).rounded(.toNearestOrEven))) / 2048 }
            return Taps(indices: indices, weights: weights)
        }
    }

    /// OpenCV's `computeResizeAreaTab` for shrinking.
    static func areaTaps(source: Int, target: Int) -> [Taps] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { dx in
            let fsx1 = Double(dx) * scale
            let fsx2 = fsx1 + scale
            let cellWidth = min(scale, Double(source) - fsx1)
            var sx2 = Int(floor(fsx2))
            var sx1 = Int(ceil(fsx1))
            sx2 = min(sx2, source - 1)
            sx1 = min(sx1, sx2)
            var taps = Taps(indices: [], weights: [])
            if Double(sx1) - fsx1 > 1e-3 {
                taps.indices.append(sx1 - 1)
                taps.weights.append(Double(Float((Double(sx1) - fsx1) / cellWidth)))
            }
            for sx in sx1..<max(sx1, sx2) {
                taps.indices.append(sx)
                taps.weights.append(Double(Float(1 / cellWidth)))
            }
            if fsx2 - Double(sx2) > 1e-3 {
                taps.indices.append(sx2)
                taps.weights.append(Double(Float(min(min(fsx2 - Double(sx2), 1), cellWidth) / cellWidth)))
            }
            return taps
        }
    }

    /// OpenCV's INTER_AREA rule on an axis that does not shrink overall: linear with
    /// `fx = (dx+1) − (sx+1)/scale`, fractional part, clamped.
    static func areaEnlargeTaps(source: Int, target: Int) -> [Taps] {
        let inverseScale = Double(target) / Double(source)
        let scale = 1 / inverseScale
        return (0..<target).map { dx in
            let sx = Int(floor(Double(dx) * scale))
            var fx = Float(Double(dx + 1) - Double(sx + 1) * inverseScale)
            fx = fx <= 0 ? 0 : fx - floor(fx)
            let first = min(max(sx, 0), source - 1), second = min(max(sx + 1, 0), source - 1)
            return Taps(indices: [first, second], weights: [Double(1 - fx), Double(fx)])
        }
    }

    static func separable(_ image: RGBAImage, width: Int, height: Int, columns: [Taps], rows: [Taps],
                          finish: (Double) -> UInt8) -> RGBAImage {
        // Horizontal pass into Double rows, then vertical.
        var horizontal = [Double](repeating: 0, count: image.height * width * 3)
        for y in 0..<image.height {
            for x in 0..<width {
                let taps = columns[x]
                for channel in 0..<3 {
                    var sum = 0.0
                    for k in 0..<taps.indices.count {
                        sum += taps.weights[k] * Double(image.pixels[(y * image.width + taps.indices[k]) * 4 + channel])
                    }
                    horizontal[(y * width + x) * 3 + channel] = sum
                }
            }
        }
        var out = RGBAImage(width: width, height: height)
        for y in 0..<height {
            let taps = rows[y]
            for x in 0..<width {
                for channel in 0..<3 {
                    var sum = 0.0
                    for k in 0..<taps.indices.count { sum += taps.weights[k] * horizontal[(taps.indices[k] * width + x) * 3 + channel] }
                    out.pixels[(y * width + x) * 4 + channel] = finish(sum)
                }
            }
        }
        return out
    }
}
