import TesseraImageOps
import TesseraImaging
import TesseraPipelines
import TesseraSampling

extension GenerationJobSettings {
    /// The pipeline request of this one-image job: `initImage` for img2img and inpaint, `mask` (RGBA, init image
    /// size, white = repaint) for inpaint, `hints` the control images of the units that have one (in unit order),
    /// and each ControlNet model resolved by `controlNetPath` on the worker.
    public func request(
        initImage: RGBAImage?, mask: RGBAImage?, hints: [RGBAImage] = [],
        controlNetPath: (String) throws -> String = { $0 }
    ) throws -> GenerationRequest {
        var request = GenerationRequest()
        switch mode {
        case .txt2img:
            request.mode = .txt2img
        case .img2img:
            guard let initImage else { throw bad("input", "an img2img job needs an init image") }
            request.mode = .img2img(initImage: initImage)
        case .inpaint:
            guard let initImage else { throw bad("input", "an inpaint job needs an init image") }
            guard let mask else { throw bad("mask", "an inpaint job needs a mask image") }
            request.mode = .inpaint(initImage: initImage, mask: mask)
        }
        request.prompt = prompt
        request.negativePrompt = negativePrompt
        request.steps = steps
        request.sampler = sampler
        request.scheduler = scheduler
        request.cfgScale = Float(cfgScale)
        request.seed = seed
        request.subseed = subseed
        request.subseedStrength = Float(subseedStrength)
        request.seedResizeFromWidth = seedResizeFromWidth
        request.seedResizeFromHeight = seedResizeFromHeight
        request.width = width
        request.height = height
        request.denoisingStrength = denoisingStrength
        request.resizeMode = try field("resize_mode") { try ResizeMode(a1111Value: resizeMode) }
        request.maskBlur = maskBlur
        request.maskBlurX = maskBlurX
        request.maskBlurY = maskBlurY
        request.inpaintingFill = try field("inpainting_fill") { try MaskedContent(a1111Value: inpaintingFill) }
        request.inpaintFullRes = inpaintFullRes
        request.inpaintFullResPadding = inpaintFullResPadding
        request.inpaintingMaskInvert = inpaintingMaskInvert
        request.clipSkip = clipSkip
        request.rng = try field("randn_source") { try RNGSource(parsing: randnSource) }
        request.vae = vae
        request.colorCorrection = colorCorrection
        request.fixSteps = fixSteps
        request.eta = eta.map(Float.init)
        request.etaNoiseSeedDelta = etaNoiseSeedDelta
        request.initialNoiseMultiplier = Float(initialNoiseMultiplier)
        request.extraNoise = Float(extraNoise)
        request.inpaintingMaskWeight = inpaintingMaskWeight
        request.batchSize = batchSize
        request.batchCount = batchCount
        request.controlNets = try controlNetUnits(hints: hints, controlNetPath: controlNetPath)
        return request
    }

    /// Checks every setting against A1111's limits, with the init image, mask and control images when the caller
    /// has them; each error names the field (`generation.steps`, `generation.controlnet[0]`, …).
    public func validate(initImage: RGBAImage? = nil, mask: RGBAImage? = nil, hints: [RGBAImage]? = nil) throws {
        guard !checkpoint.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad("checkpoint", "must not be empty") }
        if mode == .txt2img, let index = controlNets.firstIndex(where: { $0.image == nil }) {
            throw bad("controlnet[\(index)]", "needs an image: a txt2img job has no init image for the unit to fall back to")
        }
        guard (1...12).contains(clipSkip) else { throw bad("CLIP_stop_at_last_layers", "must be in 1...12, got \(clipSkip)") }
        guard seed >= -1, subseed >= -1 else { throw bad("seed", "must be -1 (random) or a seed ≥ 0, got \(seed), subseed \(subseed)") }
        _ = try field("sampler_name") { try SamplerSelection(parsing: sampler, scheduler: scheduler) }
        // Without the images, check the other settings on a txt2img request of the same values.
        var settings = self
        if initImage == nil { settings.mode = .txt2img }
        if hints == nil || (initImage == nil && mode != .txt2img) { settings.controlNets = [] }
        let request = try settings.request(initImage: initImage, mask: mask, hints: hints ?? [])
        try field(nil) { try request.validate() }
        for unit in try controlNetUnits(hints: nil, controlNetPath: { $0 }) { try field("controlnet") { try unit.validate() } }
    }

    /// How many `hint` images the job carries: one per unit with an `image`.
    public var hintCount: Int { controlNets.filter { $0.image != nil }.count }

    /// The pipeline's ControlNet units, each unit with an `image` taking the next of `hints` (nil: only check);
    /// unknown preprocessors and bad modes are errors naming the unit.
    private func controlNetUnits(hints: [RGBAImage]?, controlNetPath: (String) throws -> String) throws -> [ControlNetUnit] {
        if let hints, hints.count != hintCount {
            throw bad("controlnet", "\(hintCount) unit(s) have an image but the job carries \(hints.count)")
        }
        var next = 0
        return try controlNets.enumerated().map { index, unit in
            try field("controlnet[\(index)]") {
                _ = try ControlNetPreprocessor(
                    name: unit.module, resolution: unit.processorRes, thresholdA: unit.thresholdA, thresholdB: unit.thresholdB)
                guard !unit.model.trimmingCharacters(in: .whitespaces).isEmpty else { throw PipelineError("model", "must not be empty") }
                var hint: RGBAImage? = nil
                if unit.image != nil, let hints {
                    hint = hints[next]
                    next += 1
                }
                return try unit.unit(modelPath: controlNetPath(unit.model), hint: hint)
            }
        }
    }

    /// This job file's `batch_size · n_iter` images as one-image jobs with A1111's seeds: seed and variation seed
    /// drawn once when −1, then image k gets `seed + k` (or `seed` with a variation strength) and variation seed
    /// `subseed + k`.
    public func splitIntoImages() throws -> [GenerationJobSettings] {
        guard (1...8).contains(batchSize) else { throw bad("batch_size", "must be in 1...8, got \(batchSize)") }
        guard (1...100).contains(batchCount) else { throw bad("n_iter", "must be in 1...100, got \(batchCount)") }
        let seeds = try field("seed") {
            try SeedPlan.imageSeeds(
                seed: SeedPlan.resolve(seed), subseed: SeedPlan.resolve(subseed), subseedStrength: Float(subseedStrength),
                count: batchSize * batchCount)
        }
        return seeds.map { image in
            var one = self
            one.seed = image.seed
            one.subseed = image.subseed
            one.batchSize = 1
            one.batchCount = 1
            return one
        }
    }

    private func bad(_ field: String, _ reason: String) -> ClusterError {
        .invalidParameter(field: "generation.\(field)", reason: reason)
    }

    /// Runs `body`, naming `generation.<name>` (or the pipeline's own field) in any error it throws.
    private func field<T>(_ name: String?, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PipelineError {
            throw bad(name ?? error.subject, name == nil ? error.problem : "\(error)")
        } catch let error as ClusterError {
            throw error
        } catch let error as TileRenderError {
            throw error
        } catch {
            throw bad(name ?? "settings", "\(error)")
        }
    }
}
