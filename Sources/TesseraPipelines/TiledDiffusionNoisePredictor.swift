import TesseraSampling
import TesseraTensor

/// The Tiled Diffusion hook for the timestep samplers (DDIM, PLMS) as an eps model: every call crops the
/// (unscaled) latent into the grid's tiles, has `evaluator` predict each tile's eps at the call's timestep, and
/// fuses the eps (`LatentTileFusion.fusedEps`), which is what the extension does for DDIM-type samplers (§7.3).
public final class TiledDiffusionNoisePredictor<Evaluator: LatentTileEvaluator>: NoisePredictor {
    public let fusion: LatentTileFusion
    public let evaluator: Evaluator
    public let schedule: DiscreteNoiseSchedule
    /// Model calls made so far.
    public private(set) var calls = 0
    /// The last step index the sampler reported (A1111's `state.sampling_step`).
    public private(set) var samplingStep = 0

    public init(fusion: LatentTileFusion, evaluator: Evaluator, schedule: DiscreteNoiseSchedule) {
        self.fusion = fusion
        self.evaluator = evaluator
        self.schedule = schedule
    }

    public func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor {
        // sigma is informational here (logs, wire); the tile model uses the timestep.
        let alpha = schedule.alphasCumprod[min(max(Int(timestep.rounded()), 0), schedule.alphasCumprod.count - 1)]
        let round = LatentTileRound(call: calls, samplingStep: samplingStep, sigma: ((1 - alpha) / alpha).squareRoot(),
                                    timestep: timestep, crops: try fusion.crops(of: x))
        let eps = try evaluator.evaluate(round)
        calls += 1
        return try fusion.fusedEps(tileEps: eps, channels: x.shape[1])
    }

    /// A progress callback that keeps `samplingStep` in step with the sampler, then calls `next`.
    public func tracking(_ next: SamplerProgress?) -> SamplerProgress {
        { [self] step in
            samplingStep = step.index
            try next?(step)
        }
    }
}
