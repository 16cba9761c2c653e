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
    private let advertised = Mutex<[ModelInfoEntry]>([])

    struct ModelInfoEntry: Sendable {
        var name: String
        var hash: String
    }

    /// `preload`: checkpoints (paths or names) loaded now, so a bad model fails at start-up rather than at the
    /// first tile, and advertised in `models`.
    public init(library: ModelLibrary? = nil, preload: [String] = []) throws {
        self.library = library
        var entries: [ModelInfoEntry] = []
        for checkpoint in preload {
            let pipeline = try Self.throwingTileErrors { try self.pipeline(for: checkpoint) }
            entries.append(ModelInfoEntry(name: pipeline.model.name, hash: pipeline.model.autoV2Hash ?? ""))
        }
        // Checkpoints in the models folder are advertised by name; hashing every file up front would cost minutes.
        let known = Set(entries.map(\.name))
        for name in Self.checkpointNames(in: library) where !known.contains(name) {
            entries.append(ModelInfoEntry(name: name, hash: ""))
        }
        advertised.withLock { $0 = entries }
    }

    public var names: [String] { [DiffusionUpscaleSettings.rendererName] }
    public var models: [(name: String, hash: String)] { advertised.withLock { $0.map { ($0.name, $0.hash) } } }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        guard let settings = work.plan.spec.diffusion else {
            throw TileRenderError.invalidParameters("job has no diffusion settings")
        }
        do { try settings.validate() } catch { throw TileRenderError.invalidParameters("\(error)") }
        guard work.source.width == work.plan.sourceWidth, work.source.height == work.plan.sourceHeight,
            (0..<work.plan.tileCount).contains(work.tileIndex)
        else {
            throw TileRenderError.invalidParameters(
                "tile \(work.tileIndex) of a \(work.source.width)×\(work.source.height) source does not match the plan")
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
            request.controlNets = [ControlNetUnit(
                model: controlNetPath, module: unit.module, weight: Float(unit.weight),
                guidanceStart: Float(unit.guidanceStart), guidanceEnd: Float(unit.guidanceEnd),
                controlMode: try ControlMode(parsing: unit.controlMode))]
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
            let model: StableDiffusionModel
            do { model = try StableDiffusionModel(path: path) } catch {
                throw TileRenderError.invalidParameters("checkpoint \"\(checkpoint)\" (\(path)) cannot be loaded: \(error)")
            }
            let pipeline = StableDiffusionPipeline(model: model, library: library)
            cache[path] = pipeline
            return pipeline
        }
    }

    /// A model's path on this worker; a missing model is a fatal error naming it.
    func resolve(_ name: String, kind: ModelLibrary.Kind, label: String) throws -> String {
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

    static func checkpointNames(in library: ModelLibrary?) -> [String] {
        guard let library else { return [] }
        var names: [String] = []
        for folder in library.folders(for: .checkpoint) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in files.sorted() {
                let url = URL(fileURLWithPath: file)
                if ModelLibrary.modelExtensions.contains(url.pathExtension.lowercased()) {
                    names.append(url.deletingPathExtension().lastPathComponent)
                }
            }
        }
        return names
    }
}
