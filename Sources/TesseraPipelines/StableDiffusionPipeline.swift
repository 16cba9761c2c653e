import Foundation
import TesseraCheckpoint
import TesseraImageOps
import TesseraImaging
import TesseraModels
import TesseraPrompt
import TesseraSampling
import TesseraTensor

/// A1111's txt2img / img2img / inpaint on one loaded SD1.x model.
///
/// The model is loaded once; each `generate` call merges the prompt's LoRAs, runs the job and
/// restores the weights, so jobs never see each other's LoRAs. Jobs on one pipeline run one at
/// a time (a lock), because LoRA merging changes the shared weights.
public final class StableDiffusionPipeline: @unchecked Sendable {
    public let model: StableDiffusionModel
    /// Where LoRAs and ControlNet models are looked up by name; nil = only paths work.
    public let library: ModelLibrary?
    /// Benchmark hook: when set, every stage of a generation adds its time here. Nil (the
    /// default) reads no clock at all.
    public var stageTimer: PipelineStageTimer?
    private var controlNetCache: [String: ControlNet] = [:]
    /// VAE overrides loaded so far, by path (see `loadVAE`).
    var vaeCache: [String: LoadedVAE] = [:]
    let lock = NSLock()

    public init(model: StableDiffusionModel, library: ModelLibrary? = nil) {
        self.model = model
        self.library = library
    }

    /// Runs a one-image `request` (batch size and count 1). `progress` is called after every
    /// sampler step; throwing from it cancels.
    public func generate(_ request: GenerationRequest, progress: SamplerProgress? = nil) throws -> GenerationResult {
        guard request.imageCount == 1 else {
            throw PipelineError("batch_size/n_iter", "generate makes one image but the request asks for \(request.imageCount); use generateImages")
        }
        return try generateImages(request, progress: progress)[0]
    }

    /// Runs `request` and returns its `batch_size · n_iter` images in A1111's order (batch after
    /// batch). Image k gets seed `seed + k` (or `seed` with a variation strength, and variation
    /// seed `subseed + k`), and its own infotext. `progress` is called after every sampler
    /// step of every batch.
    public func generateImages(_ request: GenerationRequest, progress: SamplerProgress? = nil) throws -> [GenerationResult] {
        lock.lock(); defer { lock.unlock() }
        let timer = stageTimer
        return try timer.measure(.total) { try run(request, timer: timer, progress: progress) }
    }

    private func run(_ request: GenerationRequest, timer: PipelineStageTimer?, progress: SamplerProgress?) throws -> [GenerationResult] {
        try request.validate()
        var request = request
        // Drawn once per job, so the infotext records the region seeds the images were made with.
        request.tiledDiffusion = request.tiledDiffusion?.resolvingRegionSeeds()
        let selection = try SamplerSelection(parsing: request.sampler, scheduler: request.scheduler)
        let seeds = try SeedPlan.imageSeeds(seed: SeedPlan.resolve(request.seed), subseed: SeedPlan.resolve(request.subseed),
                                            subseedStrength: request.subseedStrength, count: request.imageCount,
                                            seedResizeFromWidth: request.seedResizeFromWidth,
                                            seedResizeFromHeight: request.seedResizeFromHeight)
        // A1111's latent is ⌊H/8⌋×⌊W/8⌋; the render size snaps down to multiples of 8.
        let width = request.width / 8 * 8, height = request.height / 8 * 8
        let latentShape = [model.unet.configuration.outChannels, height / 8, width / 8]

        let plan = try PromptPlan(prompt: request.prompt, negativePrompt: request.negativePrompt, steps: request.steps)
        let vae = try request.vae.flatMap { VAESelection.meansCheckpointVAE($0) ? nil : $0 }.map(loadVAE)
        let loras = try LoRAActivation.activate(plan.loras, library: library, model: model)
        defer { loras.restore() }

        let conditioner = try TextConditioner(encoder: model.textEncoder, tokenizer: model.tokenizer, clipSkip: request.clipSkip)
        var encoded: [String: Tensor] = [:]
        try timer.measure(.textEncoder) {
            for text in plan.distinctTexts { encoded[text] = try conditioner.encode([text])[0] }
        }
        let contexts: (Int) throws -> CallContexts = { [encoded] call in
            let texts = plan.texts(atStep: call)
            return CallContexts(conds: texts.positive.map { encoded[$0.text]! }, uncond: encoded[texts.negative]!)
        }

        let samplingPlan = request.samplingPlan(selection: selection)
        let codec = LatentCodec(vae: vae?.model ?? model.vae, timer: timer)
        // A1111 prepares the init latent once per job for the first batch's seeds (latent-noise
        // fill included) and reuses it for every batch.
        let firstBatch = Array(seeds.prefix(request.batchSize))
        let source = try prepareSource(request, width: width, height: height, latentShape: latentShape,
                                       batchSeeds: firstBatch, codec: codec)

        let totalSteps = try samplingPlan.img2imgSteps()?.stepsRun ?? request.steps
        let controlNets = try request.controlNets.enumerated().map { index, unit in
            try activeControlNet(unit, index: index, request: request, source: source, width: width, height: height, codec: codec)
        }
        let inpaintConditioning = model.isInpaintingModel
            ? try InpaintingConditioning.tensor(source: source, width: width, height: height, codec: codec,
                                                maskWeight: Float(request.inpaintingMaskWeight)) : nil
        // img2img_color_correction: calibrated on the init image as prepared for sampling.
        let colorCorrection = request.colorCorrection ? try source.renderImage.map(A1111ColorCorrection.init(calibration:)) : nil
        let loraHashes = loras.hashes

        var results: [GenerationResult] = []
        let startNoiseCache = TiledStartNoiseCache()
        for iteration in 0..<request.batchCount {
            let images = Array(seeds[(iteration * request.batchSize)..<((iteration + 1) * request.batchSize)])
            let tracker = SamplingProgressTracker(totalSteps: totalSteps, controlUnits: controlNets.count)
            let unet = GuidedUNet(unet: model.unet, contexts: contexts, controlNets: controlNets,
                                  inpaintConditioning: inpaintConditioning, tracker: tracker, timer: timer)
            let guided = GuidedNoisePredictor(scale: request.cfgScale, subpromptWeights: plan.positiveParts.map { Float($0.weight) },
                                              batchedModel: unet.callAsFunction)
            let report: SamplerProgress = { step in
                tracker.samplingStep = step.index
                try progress?(step)
            }

            let samples: Tensor = try timer.measure(.sampling) {
                if let tiled = request.tiledDiffusion {
                    // Tiles are fused per image; validation keeps tiled jobs at batch size 1.
                    return try sampleTiledDiffusion(tiled, request: request, guidedUNet: unet,
                                                    subpromptWeights: guided.subpromptWeights, samplingPlan: samplingPlan,
                                                    image: images[0], latentShape: latentShape, source: source,
                                                    encodeText: { try conditioner.encode([$0])[0] },
                                                    startNoiseCache: startNoiseCache, progress: report)
                }
                if let mask = source.latentMask, let initLatent = source.initLatent {
                    guard !selection.sampler.isTimestepSampler else {
                        throw PipelineError("sampler", "\(selection.sampler.label) cannot inpaint here (the per-step mask blend is implemented for k-diffusion samplers); use e.g. Euler a or DPM++ 2M")
                    }
                    let denoiser = InpaintBlendingDenoiser(inner: try samplingPlan.denoiser(wrapping: guided), mask: mask, initLatent: initLatent)
                    let sampled = try samplingPlan.run(denoiser: denoiser, images: images, latentShape: latentShape,
                                                       initLatent: initLatent, progress: report)
                    return mask.blend(sampled, keeping: initLatent)
                }
                return try samplingPlan.run(model: guided, images: images, latentShape: latentShape,
                                            initLatent: source.initLatent, progress: report)
            }
            for (row, image) in images.enumerated() {
                var generated = try codec.decode(samples.slice(row..<(row + 1)))
                if let colorCorrection { generated = try colorCorrection.apply(to: generated) }
                let final = try source.prepared?.composite(generated: generated) ?? generated
                var parameters = GenerationInfotext.parameters(for: request, selection: selection, seed: image.seed,
                                                               subseed: image.subseed, width: width, height: height,
                                                               model: model, loraHashes: loraHashes, vae: vae?.infotext)
                if let tiled = request.tiledDiffusion { parameters.extra += tiled.infotextFields }
                results.append(GenerationResult(image: final, parameters: parameters, modelCalls: tracker.modelCalls,
                                                controlNetCalls: tracker.controlNetCalls))
            }
        }
        return results
    }

    /// The init image side of a job: the A1111-prepared image, its latent and the latent mask.
    struct Source {
        var prepared: PreparedInpaint?
        /// The image the job renders from at render size.
        var renderImage: RGBAImage?
        /// The init image as given (flattened): ControlNet's fallback input, A1111's `init_images[0]`.
        var originalImage: RGBAImage?
        var initLatent: Tensor?
        var latentMask: LatentMask?
    }

    private func prepareSource(_ request: GenerationRequest, width: Int, height: Int, latentShape: [Int],
                               batchSeeds: [ImageSeed], codec: LatentCodec) throws -> Source {
        var source = try prepareSingleSource(request, width: width, height: height, latentShape: latentShape,
                                             batchSeeds: batchSeeds, codec: codec)
        // One init image for the whole batch (A1111 replicates it to batch_size); the
        // latent-noise fill differs per image, so it was applied row by row already.
        if let latent = source.initLatent, latent.shape[0] == 1, batchSeeds.count > 1 {
            source.initLatent = concatenate(Array(repeating: latent, count: batchSeeds.count))
        }
        return source
    }

    private func prepareSingleSource(_ request: GenerationRequest, width: Int, height: Int, latentShape: [Int],
                                     batchSeeds: [ImageSeed], codec: LatentCodec) throws -> Source {
        switch request.mode {
        case .txt2img:
            return Source()
        case let .img2img(initImage):
            let flat = initImage.flattened()
            let render = request.resizeMode == .latentUpscale ? flat : try request.resizeMode.resize(flat, width: width, height: height)
            var latent = try codec.encode(render)
            if request.resizeMode == .latentUpscale { latent = bilinearResize(latent, height: latentShape[1], width: latentShape[2]) }
            return Source(renderImage: render, originalImage: flat, initLatent: latent)
        case let .inpaint(initImage, maskImage):
            let settings = InpaintSettings(width: width, height: height, resizeMode: request.resizeMode,
                                           blur: try MaskBlur(x: request.effectiveMaskBlur.x, y: request.effectiveMaskBlur.y), invertMask: request.inpaintingMaskInvert,
                                           onlyMasked: request.inpaintFullRes, padding: request.inpaintFullResPadding,
                                           maskedContent: request.inpaintingFill)
            let flat = initImage.flattened()
            let prepared = try PreparedInpaint.prepare(image: flat, maskImage: maskImage, settings: settings)
            var latent = try codec.encode(prepared.initImage)
            if latent.shape[2] != latentShape[1] || latent.shape[3] != latentShape[2] {
                latent = bilinearResize(latent, height: latentShape[1], width: latentShape[2])
            }
            guard let samplingMask = prepared.samplingMask else {
                // A1111: a blank mask in "Only masked" mode falls back to plain img2img.
                return Source(prepared: prepared, renderImage: prepared.initImage, originalImage: flat, initLatent: latent)
            }
            let mask = try LatentMask(mask: samplingMask, latentWidth: latentShape[2], latentHeight: latentShape[1])
            switch request.inpaintingFill {
            case .latentNoise:
                // A fresh draw per image seed (no variation seed), like A1111's create_random_tensors.
                let rows = try batchSeeds.map { seed in
                    let noise = try NoiseSource(rng: request.rng).initialNoise(for: ImageSeed(seed: seed.seed), latentShape: latentShape)
                    return mask.blend(noise.reshaped([1] + latentShape), keeping: latent)
                }
                latent = concatenate(rows)
            case .latentNothing:
                latent = mask.blend(Tensor(shape: latent.shape, repeating: 0), keeping: latent)
            case .fill, .original:
                break
            }
            return Source(prepared: prepared, renderImage: prepared.initImage, originalImage: flat, initLatent: latent, latentMask: mask)
        }
    }

    func activeControlNet(_ unit: ControlNetUnit, index: Int, request: GenerationRequest, source: Source,
                                  width: Int, height: Int, codec: LatentCodec) throws -> ActiveControlNet {
        let subject = "ControlNet unit \(index)"
        var input: RGBAImage
        var resizeMode = unit.resizeMode
        if let image = unit.image {
            input = image
        } else if let path = unit.imagePath {
            do { input = try PNGImage.read(path: path).rgba8 } catch {
                throw PipelineError("\(subject) image", "cannot read '\(path)': \(error)")
            }
        } else if let original = source.originalImage {
            // The extension falls back to the img2img init image with A1111's resize mode.
            input = original
            resizeMode = ControlResizeMode(a1111: request.resizeMode)
        } else {
            throw PipelineError(subject, "needs image=PATH (txt2img has no init image to fall back to, and units read from --params-from carry no image: give the unit again with --controlnet)")
        }
        if let crop = source.prepared?.cropRegion, let original = source.originalImage {
            // Inpaint "Only masked" (inpaint_crop_input_image): the control image is brought to the
            // init image's size with the unit's resize mode, cropped to A1111's box, then
            // resized-and-filled to the render size — exactly the region A1111 renders.
            if input.width != original.width || input.height != original.height {
                input = try ResizeMode(controlResizeMode: resizeMode).resize(input, width: original.width, height: original.height)
            }
            input = try ResizeMode.resizeAndFill.resize(try input.cropped(to: crop.rect), width: width, height: height)
        }
        let target = ControlHintGeometry.targetSize(width: width, height: height)
        var resolution = unit.processorResolution
        if unit.pixelPerfect {
            // Pixel Perfect: the preprocessor sees the control image at the scale the hint is used at.
            resolution = ControlHintGeometry.pixelPerfectResolution(imageWidth: input.width, imageHeight: input.height,
                                                                    targetWidth: target.width, targetHeight: target.height,
                                                                    mode: resizeMode)
        }
        let preprocessor = try ControlNetPreprocessor(name: unit.module, resolution: resolution,
                                                      thresholdA: unit.thresholdA, thresholdB: unit.thresholdB)
        let map = try preprocessor.apply(input)
        let hint = try ControlHintGeometry.fit(map, width: target.width, height: target.height, mode: resizeMode)
        let hintTensor = LatentCodec.hintTensor(from: hint)
        var colorFix: TileColorFix?
        switch preprocessor {
        case let .tileColorfix(variation):
            colorFix = TileColorFix(originLatent: try codec.encode(hint), variation: variation, sharpness: nil, weight: unit.weight)
        case let .tileColorfixSharp(variation, sharpness):
            colorFix = TileColorFix(originLatent: try codec.encode(hint), variation: variation, sharpness: sharpness, weight: unit.weight)
        default:
            break
        }
        return ActiveControlNet(unit: unit, model: try loadControlNet(unit.model), hint: hintTensor, colorFix: colorFix)
    }

    /// Makes `controlNet` available to units under `name` without a file (benchmarks, callers
    /// that already hold the model).
    public func preload(controlNet: ControlNet, named name: String) {
        lock.lock(); defer { lock.unlock() }
        controlNetCache[name] = controlNet
    }

    private func loadControlNet(_ name: String) throws -> ControlNet {
        if let preloaded = controlNetCache[name] { return preloaded }
        let path: String
        if FileManager.default.fileExists(atPath: name) {
            path = name
        } else if let library {
            path = try library.resolve(.controlNet, named: name)
        } else {
            throw PipelineError("ControlNet model '\(name)'", "is not a file and no --models-dir was given to look it up in")
        }
        if let cached = controlNetCache[path] { return cached }
        var isDir: ObjCBool = false
        let weights: any WeightSource
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            weights = try DiffusersFolder(path: path).controlNet
        } else {
            weights = try ControlNetCheckpoint(path: path).controlNet
        }
        let net = try ControlNet(source: weights)
        controlNetCache[path] = net
        return net
    }
}

extension ResizeMode {
    /// The A1111 image resize standing in for a ControlNet resize mode.
    init(controlResizeMode mode: ControlResizeMode) {
        switch mode {
        case .justResize: self = .justResize
        case .cropAndResize: self = .cropAndResize
        case .resizeAndFill: self = .resizeAndFill
        }
    }
}
