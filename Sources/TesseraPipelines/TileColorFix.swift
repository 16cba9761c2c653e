import TesseraSampling
import TesseraTensor

/// sd-webui-controlnet's `tile_colorfix` / `tile_colorfix+sharp` UNet post-process: the low
/// frequencies of the x0 prediction are replaced by those of the VAE-encoded hint, then eps is
/// recomputed from that x0 and mixed with the original by the unit weight. The extension runs
/// it on every model call (it is not gated by the guidance window).
public struct TileColorFix: Sendable {
    /// The hint's latent (`VAE.encode(2·hint − 1) · 0.18215`), `[1, 4, h, w]`.
    public let originLatent: Tensor
    /// Box-blur radius k ("Variation").
    public let variation: Int
    /// "Sharpness" slider; nil for plain tile_colorfix.
    public let sharpness: Double?
    /// `clamp(weight, 0, 1)`.
    public let weight: Float
    private let blurredOrigin: Tensor

    public init(originLatent: Tensor, variation: Int, sharpness: Double?, weight: Float) {
        self.originLatent = originLatent
        self.variation = variation
        self.sharpness = sharpness
        self.weight = min(max(weight, 0), 1)
        blurredOrigin = boxBlur(originLatent, radius: variation)
    }

    /// Adjusted eps for the rows of `x` (the scaled latent the UNet saw) at `timestep`;
    /// `uncondRows` get the sharpened (slightly blurred) x0 of `+sharp`.
    public func apply(eps: Tensor, x: Tensor, timestep: Float, uncondRows: Set<Int>,
                      schedule: DiscreteNoiseSchedule = .stableDiffusion) -> Tensor {
        let index = min(max(Int(timestep.rounded()), 0), schedule.alphasCumprod.count - 1)
        let alpha = schedule.alphasCumprod[index]
        let a = (1 / alpha).squareRoot(), b = (1 / alpha - 1).squareRoot()
        let rows = x.shape[0], size = x.count / rows
        var out = eps
        for r in 0..<rows {
            let range = (r * size)..<((r + 1) * size)
            var x0 = Tensor(shape: [1] + Array(x.shape.dropFirst()), data: range.map { a * x.data[$0] - b * eps.data[$0] })
            let low = boxBlur(x0, radius: variation)
            for i in 0..<size { x0.data[i] = x0.data[i] - low.data[i] + blurredOrigin.data[i] }
            if let sharpness, uncondRows.contains(r) {
                let dw = Float(sharpness * 0.01)
                let blurred = boxBlur(x0, radius: variation)
                for i in 0..<size { x0.data[i] = dw * blurred.data[i] + (1 - dw) * x0.data[i] }
            }
            for (i, j) in range.enumerated() {
                let fixed = (a * x.data[j] - x0.data[i]) / b
                out.data[j] = weight * fixed + (1 - weight) * eps.data[j]
            }
        }
        return out
    }
}

/// Replicate-padded `(2k+1)²` box average per channel plane of `[1, C, h, w]`.
func boxBlur(_ t: Tensor, radius k: Int) -> Tensor {
    let (c, h, w) = (t.shape[1], t.shape[2], t.shape[3])
    var out = t
    let area = Float((2 * k + 1) * (2 * k + 1))
    for p in 0..<c {
        let base = p * h * w
        for y in 0..<h {
            for x in 0..<w {
                var sum: Float = 0
                for dy in -k...k {
                    let yy = min(max(y + dy, 0), h - 1)
                    for dx in -k...k { sum += t.data[base + yy * w + min(max(x + dx, 0), w - 1)] }
                }
                out.data[base + y * w + x] = sum / area
            }
        }
    }
    return out
}
