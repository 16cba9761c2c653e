import TesseraImaging
import TesseraSampling
import TesseraTensor

/// Tiled Diffusion's noise inversion pass (spec §7.4) over any `LatentTileEvaluator`: Euler run backwards from the
/// init latent with the tiled, positive-prompt-only UNet, fused like the job's own model calls, so the in-process run
/// and a cluster (whose workers evaluate the inversion rounds) find the same noise bit for bit.
public final class TiledNoiseInversion<Evaluator: LatentTileEvaluator>: NoisePredictor {
    public let fusion: LatentTileFusion
    public let evaluator: Evaluator
    /// Inversion steps evaluated so far.
    public private(set) var calls = 0

    public init(fusion: LatentTileFusion, evaluator: Evaluator) {
        self.fusion = fusion
        self.evaluator = evaluator
    }

    public func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor {
        // sigma is informational for inversion rounds: the crops are pre-scaled and evaluated at `timestep`.
        let round = LatentTileRound(kind: .inversion, call: calls, samplingStep: calls, sigma: 0, timestep: timestep,
                                    crops: try fusion.crops(of: x))
        let eps = try evaluator.evaluate(round)
        calls += 1
        return try fusion.fusedEps(tileEps: eps, channels: x.shape[1])
    }

    /// Runs the inversion and returns what the sampler's start noise becomes: the inverse noise
    /// `inverted − init/σ₀` (σ₀ the first sigma of the full img2img schedule), blended with the seeded noise under
    /// the renoise mask of `initImage` when the renoise strength is above 0. With `filtersRegionNoise` (regions
    /// without the grid) the seeded noise is first passed through the regions' feather masks, as the extension does.
    ///
    /// Noise inversion is defined for img2img with the Euler sampler only (the extension asserts it); anything else
    /// is refused naming the field.
    public static func startNoise(
        _ settings: NoiseInversionSettings, fusion: LatentTileFusion, evaluator: Evaluator, samplingPlan: SamplingPlan,
        initLatent: Tensor?, initImage: RGBAImage?, filtersRegionNoise: Bool = false
    ) throws -> (Tensor) throws -> Tensor {
        try settings.validate()
        guard samplingPlan.selection.sampler == .euler else {
            throw PipelineError("sampler", "noise inversion runs with the Euler sampler only (the Tiled Diffusion extension requires it), got \(samplingPlan.selection.sampler.label)")
        }
        guard let initLatent, samplingPlan.denoisingStrength != nil else {
            throw PipelineError("noise inversion", "needs an img2img job (an init image to invert)")
        }
        let inversion = TiledNoiseInversion(fusion: fusion, evaluator: evaluator)
        let inverted = try NoiseInversion.invert(initLatent: initLatent, steps: settings.steps, retouch: Float(settings.retouch),
                                                 model: inversion, schedule: samplingPlan.schedule)
        let inverse = try NoiseInversion.inverseNoise(inverted: inverted, initLatent: initLatent,
                                                      firstSigma: try samplingPlan.fullSigmas()[0])
        guard settings.renoiseStrength > 0 else { return { _ in inverse } }
        guard let initImage else { throw PipelineError("noise inversion", "the renoise mask needs the init image") }
        let mask = RenoiseMask.mask(for: initImage, kernelSize: settings.renoiseKernelSize, strength: Float(settings.renoiseStrength),
                                    latentWidth: initLatent.shape[3], latentHeight: initLatent.shape[2])
        return { random in
            let random = filtersRegionNoise ? fusion.regionFilteredNoise(random) : random
            return try NoiseInversion.renoise(inverse: inverse, random: random, mask: mask)
        }
    }
}
