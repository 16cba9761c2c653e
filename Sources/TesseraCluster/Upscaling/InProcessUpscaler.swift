import Foundation
import TesseraImaging

/// Runs a whole upscale job in this process through the imaging library's tiled upscale driver (`TiledUpscale`,
/// feather blending, streamed PNG writing). The cluster renders the same tiles with the same renderer and blends
/// them with the same driver, so this is the reference the distributed result equals bit for bit.
public enum InProcessUpscaler {
    /// Renders into memory (small images, tests). `renderer` renders the tiles when given (e.g. a diffusion
    /// renderer with a models folder); otherwise the classical filter, or for diffusion jobs a
    /// `DiffusionTileRenderer` that takes model paths only.
    public static func upscale(
        source: RGBAImage, spec: UpscaleJobSpec, renderer: (any WorkerTileRenderer)? = nil
    ) throws -> RGBAImage {
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        return try TiledUpscale(plan: plan.tilePlan).renderImage(
            renderer: tileRenderer(for: plan, source: source, renderer: renderer))
    }

    /// Renders straight into a PNG at `path` (atomically, with the job's `parameters` infotext), calling
    /// `progress(done, total)` after each tile.
    public static func upscale(
        source: RGBAImage, spec: UpscaleJobSpec, to path: String, renderer workerRenderer: (any WorkerTileRenderer)? = nil,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> UpscalePlan {
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        let renderer = try tileRenderer(for: plan, source: source, renderer: workerRenderer)
        let temp = temporaryPath(for: path)
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
