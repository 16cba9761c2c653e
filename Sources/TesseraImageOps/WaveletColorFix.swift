import TesseraImaging

/// StableSR's wavelet colour fix: the result keeps the fine detail (5-level à-trous wavelet
/// high frequencies) of the target and takes the residual low frequencies — the colours — from
/// the reference. Used against tile colour drift.
public enum WaveletColorFix {
    /// Number of decomposition levels (StableSR uses 5: dilations 1, 2, 4, 8, 16).
    public static let levels = 5

    /// Fixes `target` (generated) against `reference` of the same size.
    public static func apply(target: RGBAImage, reference: RGBAImage) throws -> RGBAImage {
        try ImageOpsError.requireSameSize("colour fix reference", reference.width, reference.height,
                                          as: target.width, target.height)
        return try apply(target: FloatRGBImage(target), reference: FloatRGBImage(reference)).rgba
    }

    /// The same on Float RGB: `high(target) + low(reference)`, unclamped.
    public static func apply(target: FloatRGBImage, reference: FloatRGBImage) throws -> FloatRGBImage {
        try ImageOpsError.requireSameSize("colour fix reference", reference.width, reference.height,
                                          as: target.width, target.height)
        let (high, _) = decompose(target)
        let (_, low) = decompose(reference)
        var out = high
        for channel in 0..<3 {
            for index in 0..<out.planes[channel].count { out.planes[channel][index] += low.planes[channel][index] }
        }
        return out
    }

    /// (high, low): the summed detail layers and the level-5 residual.
    public static func decompose(_ image: FloatRGBImage) -> (high: FloatRGBImage, low: FloatRGBImage) {
        var high = image
        for channel in 0..<3 { high.planes[channel] = [Float](repeating: 0, count: image.width * image.height) }
        var current = image
        for level in 0..<levels {
            let low = blur(current, radius: 1 << level)
            for channel in 0..<3 {
                for index in 0..<high.planes[channel].count {
                    high.planes[channel][index] += current.planes[channel][index] - low.planes[channel][index]
                }
            }
            current = low
        }
        return (high, current)
    }

    /// Replicate padding by `radius`, then the 3×3 [1 2 1]ᵀ[1 2 1]/16 kernel with dilation `radius`.
    static func blur(_ image: FloatRGBImage, radius: Int) -> FloatRGBImage {
        let weights: [Float] = [0.0625, 0.125, 0.0625, 0.125, 0.25, 0.125, 0.0625, 0.125, 0.0625]
        var out = image
        let w = image.width, h = image.height
        for channel in 0..<3 {
            let source = image.planes[channel]
            var target = [Float](repeating: 0, count: w * h)
            for y in 0..<h {
                let rows = [max(y - radius, 0), y, min(y + radius, h - 1)]
                for x in 0..<w {
                    let columns = [max(x - radius, 0), x, min(x + radius, w - 1)]
                    var sum: Float = 0
                    for i in 0..<3 {
                        for j in 0..<3 { sum += weights[i * 3 + j] * source[rows[i] * w + columns[j]] }
                    }
                    target[y * w + x] = sum
                }
            }
            out.planes[channel] = target
        }
        return out
    }
}
