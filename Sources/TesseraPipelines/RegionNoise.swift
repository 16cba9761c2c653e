import TesseraSampling
import TesseraTensor

/// The start noise of a job with Tiled Diffusion regions (the extension's `create_random_tensors_hijack`): every
/// region draws `torch.randn((1, C, h, w))` on the CPU generator seeded with its own seed, whatever the job's RNG
/// source; overlapping Background regions average their noise, overlapping Foreground regions theirs; Background
/// noise replaces the job's noise in its boxes and Foreground noise replaces both.
public enum RegionNoise {
    /// `noise` (`[1, C, h, w]`) with the regions' noise pasted in. Region seeds must be resolved (≥ 0).
    public static func apply(_ regions: [TiledDiffusionRegion], to noise: Tensor) throws -> Tensor {
        guard !regions.isEmpty else { return noise }
        guard noise.rank == 4, noise.shape[0] == 1 else {
            throw PipelineError("regions", "start noise has shape \(noise.shape), expected [1, C, h, w]")
        }
        let (c, h, w) = (noise.shape[1], noise.shape[2], noise.shape[3]), plane = h * w
        var layers = [(sum: [Float], count: [Float])](
            repeating: ([Float](repeating: 0, count: c * plane), [Float](repeating: 0, count: plane)), count: 2)
        for (index, region) in regions.enumerated() {
            guard region.seed >= 0 else {
                throw PipelineError("regions[\(index)].seed", "must be resolved (≥ 0) before sampling, got \(region.seed)")
            }
            let box = region.latentBox(latentWidth: w, latentHeight: h)
            var generator = TorchCPUGenerator(seed: UInt64(region.seed))
            let drawn = generator.randn(count: c * box.width * box.height)
            let layer = region.blendMode == .background ? 0 : 1
            for ch in 0..<c {
                for j in 0..<box.height {
                    for i in 0..<box.width {
                        let p = (box.y + j) * w + box.x + i
                        layers[layer].sum[ch * plane + p] += drawn[(ch * box.height + j) * box.width + i]
                        if ch == 0 { layers[layer].count[p] += 1 }
                    }
                }
            }
        }
        var out = noise
        for layer in layers {
            for k in out.data.indices {
                let count = layer.count[k % plane]
                guard count > 0 else { continue }
                out.data[k] = count > 1 ? layer.sum[k] / count : layer.sum[k]
            }
        }
        return out
    }
}
