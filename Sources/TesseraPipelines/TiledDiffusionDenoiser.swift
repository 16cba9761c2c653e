import TesseraSampling
import TesseraTensor

/// The Tiled Diffusion hook as a k-diffusion `Denoiser`: every call crops the latent into the grid's tiles, has
/// `evaluator` predict each tile's eps, and fuses them (`LatentTileFusion`) into one x0. Any k-diffusion sampler
/// drives it unchanged.
public final class TiledDiffusionDenoiser<Evaluator: LatentTileEvaluator>: Denoiser {
    public let fusion: LatentTileFusion
    public let evaluator: Evaluator
    /// Model calls made so far.
    public private(set) var calls = 0
    /// The last step index the sampler reported (A1111's `state.sampling_step`).
    public private(set) var samplingStep = 0

    public init(fusion: LatentTileFusion, evaluator: Evaluator) {
        self.fusion = fusion
        self.evaluator = evaluator
    }

    public func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        let round = LatentTileRound(call: calls, samplingStep: samplingStep, sigma: sigma, crops: try fusion.crops(of: x))
        let eps = try evaluator.evaluate(round)
        calls += 1
        return try fusion.denoised(x: x, sigma: sigma, tileEps: eps)
    }

    /// A progress callback that keeps `samplingStep` in step with the sampler, then calls `next`.
    public func tracking(_ next: SamplerProgress?) -> SamplerProgress {
        { [self] step in
            samplingStep = step.index
            try next?(step)
        }
    }
}
