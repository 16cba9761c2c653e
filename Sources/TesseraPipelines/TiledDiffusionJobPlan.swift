import TesseraImaging
import TesseraSampling
import TesseraTensor

/// The model-free half of a Tiled Diffusion img2img/txt2img job: sampler, sigma schedule, seeded noise, latent
/// size and tile grid. It drives the sampling loop wherever the tiles are evaluated (this process, or a cluster
/// coordinator that owns no model), so both produce the same latent bit for bit.
public struct TiledDiffusionJobPlan: Sendable {
    public let settings: TiledDiffusionSettings
    public let samplingPlan: SamplingPlan
    public let seed: ImageSeed
    /// Render size (multiples of 8).
    public let width: Int
    public let height: Int
    /// `[C, h, w]`.
    public let latentShape: [Int]
    public let grid: TiledDiffusionGrid
    public let fusion: LatentTileFusion
    /// Steps actually run (A1111 `total_sampling_steps`).
    public let totalSteps: Int

    /// `request` must have a resolved seed (≥ 0) and Tiled Diffusion settings; inpainting is not supported here.
    public init(request: GenerationRequest, latentChannels: Int = 4) throws {
        try request.validate()
        guard let settings = request.tiledDiffusion else {
            throw PipelineError("tiled diffusion", "the request has no Tiled Diffusion settings")
        }
        if case .inpaint = request.mode {
            throw PipelineError("tiled diffusion job", "inpainting is not supported by tiled-diffusion jobs (use img2img)")
        }
        guard request.seed >= 0 else {
            throw PipelineError("seed", "must be resolved (≥ 0) before a tiled-diffusion job is planned, got \(request.seed)")
        }
        guard request.subseedStrength == 0 || request.subseed >= 0 else {
            throw PipelineError("subseed", "must be resolved (≥ 0) when a variation strength is set, got \(request.subseed)")
        }
        let selection = try SamplerSelection(parsing: request.sampler, scheduler: request.scheduler)
        try Self.checkSampler(selection.sampler)
        self.settings = settings
        samplingPlan = request.samplingPlan(selection: selection)
        seed = ImageSeed(seed: request.seed, subseed: max(0, request.subseed), subseedStrength: request.subseedStrength,
                         seedResizeFromWidth: request.seedResizeFromWidth, seedResizeFromHeight: request.seedResizeFromHeight)
        width = request.width / 8 * 8
        height = request.height / 8 * 8
        latentShape = [latentChannels, height / 8, width / 8]
        grid = try TiledDiffusionGrid(latentWidth: width / 8, latentHeight: height / 8, settings: settings)
        fusion = try LatentTileFusion(grid: grid, settings: settings)
        for (index, region) in settings.regions.enumerated() where region.seed < 0 {
            throw PipelineError("regions[\(index)].seed", "must be resolved (≥ 0) before a tiled-diffusion job is planned, got \(region.seed)")
        }
        totalSteps = try samplingPlan.img2imgSteps()?.stepsRun ?? request.steps
    }

    /// Runs the sampler with `evaluator` computing the tiles of every model call; `initLatent` (`[1, C, h, w]`) is
    /// required exactly for img2img. With noise inversion on, its rounds go to `evaluator` first and `initImage`
    /// (the init image at render size) gives the renoise mask. Returns the final latent.
    public func sample<E: LatentTileEvaluator>(evaluator: E, initLatent: Tensor?, initImage: RGBAImage? = nil,
                                               progress: SamplerProgress? = nil) throws -> Tensor {
        let startNoise = try Self.startNoise(settings, fusion: fusion, evaluator: evaluator, samplingPlan: samplingPlan,
                                             initLatent: initLatent, initImage: initImage)
        if samplingPlan.selection.sampler.isTimestepSampler {
            let model = TiledDiffusionNoisePredictor(fusion: fusion, evaluator: evaluator, schedule: samplingPlan.schedule)
            return try samplingPlan.run(model: model, images: [seed], latentShape: latentShape, initLatent: initLatent,
                                        progress: model.tracking(progress), startNoise: startNoise)
        }
        let denoiser = TiledDiffusionDenoiser(fusion: fusion, evaluator: evaluator)
        return try samplingPlan.run(denoiser: denoiser, images: [seed], latentShape: latentShape, initLatent: initLatent,
                                    startNoise: startNoise, progress: denoiser.tracking(progress))
    }

    /// What the seeded start noise becomes: the regions' own noise pasted in (when there are regions), then, with
    /// noise inversion on, the inverted noise blended with that under the renoise mask; nil when neither applies.
    /// The inversion runs now (its rounds go to `evaluator`), once, before sampling starts.
    static func startNoise<E: LatentTileEvaluator>(
        _ settings: TiledDiffusionSettings, fusion: LatentTileFusion, evaluator: E, samplingPlan: SamplingPlan,
        initLatent: Tensor?, initImage: RGBAImage?
    ) throws -> ((Tensor) throws -> Tensor)? {
        let regions = settings.regions
        let inversion = try settings.noiseInversion.map {
            try TiledNoiseInversion.startNoise($0, fusion: fusion, evaluator: evaluator, samplingPlan: samplingPlan,
                                               initLatent: initLatent, initImage: initImage,
                                               filtersRegionNoise: !settings.drawsGrid)
        }
        if regions.isEmpty { return inversion }
        return { seeded in
            let noise = try RegionNoise.apply(regions, to: seeded)
            return try inversion?(noise) ?? noise
        }
    }

    /// UniPC is refused, as the extension does ("not compatible"); DDIM and PLMS fuse eps, the rest x0.
    static func checkSampler(_ sampler: SamplerKind) throws {
        guard sampler != .uniPC else {
            throw PipelineError("sampler", "UniPC cannot run with Tiled Diffusion (the extension does not support it); use e.g. DDIM, Euler a or DPM++ 2M")
        }
    }
}
