import Foundation
import Synchronization
import TesseraImaging
import TesseraPipelines
import TesseraSampling

/// Redraws tiles with Stable Diffusion img2img, Ultimate SD Upscale style: the tile's context region of the
/// pre-upscaled source is the init image (and the Tile ControlNet hint), the tile's seed comes from `TileSeed`, and
/// the redrawn context goes back to the blender like any classical tile.
///
/// Checkpoints are loaded once and kept for later tiles and jobs (keyed by resolved path). Tiles of one checkpoint
/// render one at a time (the pipeline serialises them), so extra render threads only help across checkpoints.
public final class DiffusionTileRenderer: WorkerTileRenderer {
    /// Where model names are looked up; nil = only paths work.
    public let library: ModelLibrary?
    private let pipelines = Mutex<[String: StableDiffusionPipeline]>([:])
    public let models: [AdvertisedModel]
    /// Benchmark hook: attached to every pipeline this renderer loads (see `StableDiffusionPipeline.stageTimer`).
    public let stageTimer: PipelineStageTimer?

    /// `preload`: checkpoints (paths or names) loaded now, so a bad model fails at start-up rather than at the
    /// first tile; they are advertised with their hash. Every checkpoint, ControlNet, LoRA and VAE of `library` is
    /// advertised by name (hashing every file up front would cost minutes). `stageTimer` (benchmarks) receives the
    /// time of every model stage of every tile.
    public init(library: ModelLibrary? = nil, preload: [String] = [], stageTimer: PipelineStageTimer? = nil) throws {
        self.library = library
        self.stageTimer = stageTimer
        var entries: [AdvertisedModel] = []
        var pipelinesByPath: [String: StableDiffusionPipeline] = [:]
        for checkpoint in preload {
            let path = try Self.resolve(checkpoint, kind: .checkpoint, label: "checkpoint", library: library)
            let pipeline = try Self.throwingTileErrors {
                try Self.loadPipeline(checkpoint, path: path, library: library, stageTimer: stageTimer)
            }
            pipelinesByPath[path] = pipeline
            entries.append(AdvertisedModel(kind: .checkpoint, name: pipeline.model.name, hash: pipeline.model.autoV2Hash ?? ""))
        }
        let preloadedNames = Set(entries.map(\.name))
        for kind in [ModelLibrary.Kind.checkpoint, .controlNet, .lora, .vae] {
            for name in library?.modelNames(of: kind) ?? [] where kind != .checkpoint || !preloadedNames.contains(name) {
                entries.append(AdvertisedModel(kind: kind, name: name))
            }
        }
        models = entries
        pipelines.withLock { $0 = pipelinesByPath }
    }

    public var names: [String] { [DiffusionUpscaleSettings.rendererName, GenerationJobSettings.rendererName] }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        if let generation = work.plan.spec.generation {
            return try renderGeneration(work, settings: generation, progress: progress).image
        }
        guard let settings = work.plan.spec.diffusion else {
            throw TileRenderError.invalidParameters("job has no diffusion settings")
        }
        do { try settings.validate() } catch { throw TileRenderError.invalidParameters("\(error)") }
        guard work.source.sourceWidth == work.plan.sourceWidth, work.source.sourceHeight == work.plan.sourceHeight,
            (0..<work.plan.tileCount).contains(work.tileIndex)
        else {
            throw TileRenderError.invalidParameters(
                "tile \(work.tileIndex) of a \(work.source.sourceWidth)×\(work.source.sourceHeight) source does not match the plan")
        }
        let pipeline = try pipeline(for: settings.checkpoint)
        let controlNetPath = try settings.controlNetTile.map { try resolve($0.model, kind: .controlNet, label: "ControlNet") }
        // Causal and inpaint tiles rebuild the pre-upscaled base image themselves, with a classical filter only
        // (the job spec refuses an ESRGAN pre-upscaler for them).
        let filter = ClassicalUpscaler.filter(named: settings.preUpscaler)
        if let causal = work.plan.causal, let unit = causal.unit(forTile: work.tileIndex) {
            guard let filter else {
                throw TileRenderError.invalidParameters("pre_upscaler \"\(settings.preUpscaler)\" is not a classical filter")
            }
            return try renderCausal(
                unit, of: causal, work: work, settings: settings, filter: filter, pipeline: pipeline,
                controlNetPath: controlNetPath, progress: progress)
        }
        if work.plan.spec.inpaint {
            guard let filter else {
                throw TileRenderError.invalidParameters("pre_upscaler \"\(settings.preUpscaler)\" is not a classical filter")
            }
            return try renderInpaint(
                work, settings: settings, filter: filter, pipeline: pipeline, controlNetPath: controlNetPath,
                progress: progress)
        }
        return try Self.throwingTileErrors {
            let tile = work.plan.tilePlan.tiles[work.tileIndex]
            // The context crop of the pre-upscaled image: exactly what the classical renderer produces for this tile.
            let context = try ESRGANPreUpscale.context(
                of: tile, plan: work.plan, source: work.source, preUpscaler: settings.preUpscaler, library: library)
            let initImage = LatentSizedImage.padded(context)
            var request = try Self.request(settings, seedIndex: work.tileIndex, controlNetPath: controlNetPath)
            request.mode = .img2img(initImage: initImage)
            request.width = initImage.width
            request.height = initImage.height
            let result = try pipeline.generate(request) { step in
                if progress.isCancelled { throw TileRenderError.cancelled }
                progress.report(Double(step.index + 1) / Double(max(1, step.count)))
            }
            let restored = try LatentSizedImage.restore(result.image, to: context)
            return try TileColorFixing.fixed(restored, against: context, with: settings.colorFix)
        }
    }

    /// The generation settings shared by feathered and causal tiles: prompt, sampler, seed of tile `seedIndex`,
    /// denoising strength and the Tile ControlNet unit (whose hint is the init image, i.e. the tile's own crop).
    static func request(
        _ settings: DiffusionUpscaleSettings, seedIndex: Int, controlNetPath: String?
    ) throws -> GenerationRequest {
        var request = GenerationRequest()
        request.prompt = settings.prompt
        request.negativePrompt = settings.negativePrompt
        request.sampler = settings.sampler
        request.steps = settings.steps
        request.cfgScale = Float(settings.cfgScale)
        request.denoisingStrength = settings.denoisingStrength
        request.seed = TileSeed.seed(
            jobSeed: settings.seed, tileIndex: seedIndex, sameForAllTiles: settings.sameSeedForAllTiles)
        if let unit = settings.controlNetTile, let controlNetPath {
            request.controlNets = [try unit.controlNetUnit(path: controlNetPath)]
        }
        return request
    }

    /// Checks that the checkpoint and ControlNet model of `settings` can be found here (no loading); the error
    /// names the missing model.
    public func checkModels(_ settings: DiffusionUpscaleSettings) throws {
        _ = try resolve(settings.checkpoint, kind: .checkpoint, label: "checkpoint")
        if let unit = settings.controlNetTile { _ = try resolve(unit.model, kind: .controlNet, label: "ControlNet") }
        if ESRGANPreUpscale.isModelName(settings.preUpscaler) { _ = try ESRGANPreUpscale.store(for: library).resolve(settings.preUpscaler) }
    }

    /// The cached pipeline of `checkpoint`, loading it on first use.
    func pipeline(for checkpoint: String) throws -> StableDiffusionPipeline {
        let path = try resolve(checkpoint, kind: .checkpoint, label: "checkpoint")
        return try pipelines.withLock { cache -> StableDiffusionPipeline in
            if let cached = cache[path] { return cached }
            let pipeline = try Self.loadPipeline(checkpoint, path: path, library: library, stageTimer: stageTimer)
            cache[path] = pipeline
            return pipeline
        }
    }

    private static func loadPipeline(
        _ checkpoint: String, path: String, library: ModelLibrary?, stageTimer: PipelineStageTimer?
    ) throws -> StableDiffusionPipeline {
        let model: StableDiffusionModel
        do { model = try StableDiffusionModel(path: path) } catch {
            throw TileRenderError.invalidParameters("checkpoint \"\(checkpoint)\" (\(path)) cannot be loaded: \(error)")
        }
        let pipeline = StableDiffusionPipeline(model: model, library: library)
        pipeline.stageTimer = stageTimer
        return pipeline
    }

    /// A model's path on this worker; a missing model is an error naming it.
    func resolve(_ name: String, kind: ModelLibrary.Kind, label: String) throws -> String {
        try Self.resolve(name, kind: kind, label: label, library: library)
    }

    static func resolve(_ name: String, kind: ModelLibrary.Kind, label: String, library: ModelLibrary?) throws -> String {
        let fm = FileManager.default
        if name.contains("/") || fm.fileExists(atPath: name) {
            guard fm.fileExists(atPath: name) else {
                throw TileRenderError.modelNotFound("\(label) \"\(name)\": no such file")
            }
            return URL(fileURLWithPath: name).standardizedFileURL.path
        }
        guard let library else {
            throw TileRenderError.modelNotFound(
                "\(label) \"\(name)\": no such file, and no models folder (--models-dir) to look the name up in")
        }
        do { return URL(fileURLWithPath: try library.resolve(kind, named: name)).standardizedFileURL.path } catch {
            throw TileRenderError.modelNotFound("\(label) \"\(name)\": \(error)")
        }
    }

    /// Maps pipeline errors onto tile errors: bad settings are fatal, anything unexpected may be retried elsewhere.
    static func throwingTileErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as TileRenderError { throw error } catch let error as PipelineError {
            throw TileRenderError.invalidParameters("\(error)")
        } catch let error as SamplingError {
            throw TileRenderError.invalidParameters("\(error)")
        } catch {
            throw TileRenderError.failed("\(error)")
        }
    }
}
