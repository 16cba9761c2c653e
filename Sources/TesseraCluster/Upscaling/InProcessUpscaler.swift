import Foundation
import TesseraImageOps
import TesseraImaging

/// Runs a whole upscale job in this process through the imaging library's tiled upscale driver (`TiledUpscale`,
/// feather blending, streamed PNG writing). The cluster renders the same tiles with the same renderer and blends
/// them with the same driver, so this is the reference the distributed result equals bit for bit.
public enum InProcessUpscaler {
    /// Renders into memory (small images, tests). `renderer` renders the tiles when given (e.g. a diffusion
    /// renderer with a models folder); otherwise the classical filter, or for diffusion jobs a
    /// `DiffusionTileRenderer` that takes model paths only.
    /// `mask` (output size, white = repaint) is required exactly for inpaint jobs (`spec.inpaint`).
    public static func upscale(
        source: RGBAImage, spec: UpscaleJobSpec, renderer: (any WorkerTileRenderer)? = nil, mask: GreyImage? = nil
    ) throws -> RGBAImage {
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        if spec.inpaint {
            return try TiledUpscale(plan: plan.tilePlan).renderImage(
                renderer: inpaintRenderer(for: plan, source: source, mask: mask, renderer: renderer))
        }
        if plan.causal != nil {
            return try CausalUpscale.render(plan: plan, source: source, renderer: try workerRenderer(for: plan, renderer))
        }
        return try TiledUpscale(plan: plan.tilePlan).renderImage(
            renderer: tileRenderer(for: plan, source: source, renderer: renderer))
    }

    /// Renders straight into a PNG at `path` (atomically, with the job's `parameters` infotext), calling
    /// `progress(done, total)` after each tile.
    public static func upscale(
        source: RGBAImage, spec: UpscaleJobSpec, to path: String, renderer workerRenderer: (any WorkerTileRenderer)? = nil,
        mask: GreyImage? = nil, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> UpscalePlan {
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        let temp = temporaryPath(for: path)
        if plan.causal != nil {
            do {
                let image = try CausalUpscale.render(
                    plan: plan, source: source, renderer: try self.workerRenderer(for: plan, workerRenderer),
                    progress: progress)
                try writeOutput(image, plan: plan, sourceIsOpaque: source.isOpaque, to: temp)
                try AtomicFile.commit(temporaryPath: temp, to: path)
            } catch {
                unlink(temp)
                throw error
            }
            return plan
        }
        let renderer: any TileRenderer = spec.inpaint
            ? try inpaintRenderer(for: plan, source: source, mask: mask, renderer: workerRenderer)
            : try tileRenderer(for: plan, source: source, renderer: workerRenderer)
        do {
            try TiledUpscale(plan: plan.tilePlan).run(
                renderer: renderer, writingTo: temp, format: outputFormat(sourceIsOpaque: source.isOpaque),
                textChunks: [.parameters(UpscaleInfotext.text(plan: plan, version: TesseraVersion.current))],
                progress: { progress($0.tilesDone, $0.tilesTotal) })
            try AtomicFile.commit(temporaryPath: temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
        return plan
    }

    /// An inpaint job's renderer: the affected tiles through the worker renderer with their mask excerpts, the others
    /// as the classical pre-upscale.
    static func inpaintRenderer(
        for plan: UpscalePlan, source: RGBAImage, mask: GreyImage?, renderer: (any WorkerTileRenderer)?
    ) throws -> InpaintTileRenderer {
        guard let mask else {
            throw ClusterError.invalidParameter(field: "mask", reason: "an inpaint job needs a mask image")
        }
        let affected = try InpaintTiles.affected(plan: plan.tilePlan, mask: mask, maskBlur: plan.spec.maskBlur)
        let name = plan.spec.diffusion?.preUpscaler ?? "lanczos"
        guard let filter = ClassicalUpscaler.filter(named: name) else {
            throw ClusterError.invalidParameter(field: "pre_upscaler", reason: "unknown upscaler \"\(name)\"")
        }
        return InpaintTileRenderer(
            affected: Set(affected), preUpscale: ResamplingTileRenderer(source: source, filter: filter),
            redrawn: MaskedWorkerRendererAdapter(
                renderer: try workerRenderer(for: plan, renderer), plan: plan, source: source, mask: mask))
    }

    /// The worker renderer a causal job runs through: the given one, or a diffusion renderer taking model paths.
    static func workerRenderer(
        for plan: UpscalePlan, _ renderer: (any WorkerTileRenderer)?
    ) throws -> any WorkerTileRenderer {
        if let renderer { return renderer }
        return try DiffusionTileRenderer()
    }

    /// Writes a whole in-memory output the way every code path does (format, infotext), so files match byte for byte.
    static func writeOutput(_ image: RGBAImage, plan: UpscalePlan, sourceIsOpaque: Bool, to path: String) throws {
        try image.writePNG(
            to: path, format: outputFormat(sourceIsOpaque: sourceIsOpaque),
            textChunks: [.parameters(UpscaleInfotext.text(plan: plan, version: TesseraVersion.current))])
    }

    /// The imaging driver's renderer for `plan` (see `upscale(source:spec:renderer:)`).
    static func tileRenderer(
        for plan: UpscalePlan, source: RGBAImage, renderer: (any WorkerTileRenderer)?
    ) throws -> any TileRenderer {
        if let renderer { return WorkerRendererAdapter(renderer: renderer, plan: plan, source: source) }
        if plan.spec.diffusion != nil {
            return WorkerRendererAdapter(renderer: try DiffusionTileRenderer(), plan: plan, source: source)
        }
        return try ClassicalUpscaler.renderer(for: plan, source: source)
    }

    /// Where the PNG is written before it is moved to `path` (so an interrupted run can clean it up).
    public static func temporaryPath(for path: String) -> String {
        path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// RGB for opaque sources, RGBA when the source has any transparency (same rule in every code path, so the
    /// PNG bytes match too).
    public static func outputFormat(sourceIsOpaque: Bool) -> PNGPixelFormat { sourceIsOpaque ? .rgb8 : .rgba8 }
}
