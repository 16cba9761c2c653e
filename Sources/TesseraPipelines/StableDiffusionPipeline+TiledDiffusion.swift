import TesseraSampling
import TesseraTensor

extension StableDiffusionPipeline {
    /// The sampling part of `generate` for a job with Tiled Diffusion on: the guided UNet restricted to the grid's
    /// tiles, fused at every model call, under the same sampler, noise and (for inpainting) per-step mask blend.
    /// Region prompts are encoded with `encodeText`; region seeds must be resolved. The start noise (noise
    /// inversion, region noise) depends only on the job, so `startNoiseCache` keeps it for the job's next images:
    /// the inversion runs once per job, as the extension's cache has it.
    func sampleTiledDiffusion(_ settings: TiledDiffusionSettings, request: GenerationRequest, guidedUNet: GuidedUNet,
                              subpromptWeights: [Float], samplingPlan: SamplingPlan, image: ImageSeed,
                              latentShape: [Int], source: Source, encodeText: (String) throws -> Tensor,
                              startNoiseCache: TiledStartNoiseCache, progress: @escaping SamplerProgress) throws -> Tensor {
        try settings.validate()
        try TiledDiffusionJobPlan.checkSampler(samplingPlan.selection.sampler)
        let grid = try TiledDiffusionGrid(latentWidth: latentShape[2], latentHeight: latentShape[1], settings: settings)
        let fusion = try LatentTileFusion(grid: grid, settings: settings)
        let regionConditionings = try TileConditioning.regions(
            settings.regions, prompt: request.prompt, negativePrompt: request.negativePrompt, steps: request.steps,
            encode: encodeText)
        let model = try LatentTileNoiseModel(
            fusion: fusion, unet: guidedUNet.unet, contexts: guidedUNet.contexts, controlNets: guidedUNet.controlNets,
            inpaintConditioning: guidedUNet.inpaintConditioning, cfgScale: request.cfgScale,
            subpromptWeights: subpromptWeights, regionConditionings: regionConditionings,
            totalSteps: guidedUNet.tracker.totalSteps, schedule: samplingPlan.schedule, timer: guidedUNet.timer)
        let evaluator = LocalLatentTileEvaluator(model: model, tracker: guidedUNet.tracker)
        // A1111's init_images[0]: the init image as given, before the resize to the render size.
        let startNoise = try startNoiseCache.value {
            try TiledDiffusionJobPlan.startNoise(
                settings, fusion: fusion, evaluator: evaluator, samplingPlan: samplingPlan, initLatent: source.initLatent,
                initImage: source.originalImage)
        }
        if samplingPlan.selection.sampler.isTimestepSampler {
            guard source.latentMask == nil else {
                throw PipelineError("sampler", "\(samplingPlan.selection.sampler.label) cannot inpaint here (the per-step mask blend is implemented for k-diffusion samplers); use e.g. Euler a or DPM++ 2M")
            }
            let predictor = TiledDiffusionNoisePredictor(fusion: fusion, evaluator: evaluator, schedule: samplingPlan.schedule)
            return try samplingPlan.run(model: predictor, images: [image], latentShape: latentShape,
                                        initLatent: source.initLatent, progress: predictor.tracking(progress),
                                        startNoise: startNoise)
        }
        let denoiser = TiledDiffusionDenoiser(fusion: fusion, evaluator: evaluator)
        let report = denoiser.tracking(progress)
        if let mask = source.latentMask, let initLatent = source.initLatent {
            let blending = InpaintBlendingDenoiser(inner: denoiser, mask: mask, initLatent: initLatent)
            let samples = try samplingPlan.run(denoiser: blending, images: [image], latentShape: latentShape,
                                               initLatent: initLatent, startNoise: startNoise, progress: report)
            return mask.blend(samples, keeping: initLatent)
        }
        return try samplingPlan.run(denoiser: denoiser, images: [image], latentShape: latentShape,
                                    initLatent: source.initLatent, startNoise: startNoise, progress: report)
    }
}

/// The start-noise transform of a Tiled Diffusion job, computed for its first image and reused for the others.
final class TiledStartNoiseCache {
    private var computed: ((Tensor) throws -> Tensor)??

    /// The cached transform, computing it with `make` on first use.
    func value(_ make: () throws -> ((Tensor) throws -> Tensor)?) rethrows -> ((Tensor) throws -> Tensor)? {
        if let computed { return computed }
        let made = try make()
        computed = .some(made)
        return made
    }
}
