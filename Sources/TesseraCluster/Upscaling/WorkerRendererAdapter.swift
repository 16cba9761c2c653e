import TesseraImageOps
import TesseraImaging

/// Lets the in-process driver (`TiledUpscale`) use a worker renderer, so a single-process job renders every tile
/// through exactly the code a cluster worker runs.
struct WorkerRendererAdapter: TileRenderer {
    // Feathered tiles only: causal units need their canvas excerpt and go through `CausalUpscale`.
    let renderer: any WorkerTileRenderer
    let plan: UpscalePlan
    let source: RGBAImage

    func render(_ tile: PlannedTile, of tilePlan: TilePlan) throws -> RGBAImage {
        let work = TileWork(jobId: "in-process", tileIndex: tile.index, attempt: 0, plan: plan, source: try plan.window(ofTile: tile.index, in: source))
        return try renderer.render(work, progress: TileProgressReporter())
    }
}

/// The same for inpaint jobs: each tile also gets its mask excerpt, cut exactly as the coordinator cuts it.
struct MaskedWorkerRendererAdapter: TileRenderer {
    let renderer: any WorkerTileRenderer
    let plan: UpscalePlan
    let source: RGBAImage
    let mask: GreyImage

    func render(_ tile: PlannedTile, of tilePlan: TilePlan) throws -> RGBAImage {
        let window = InpaintTiles.maskWindow(of: tile, plan: tilePlan, maskBlur: plan.spec.maskBlur)
        let work = TileWork(
            jobId: "in-process", tileIndex: tile.index, attempt: 0, plan: plan,
            source: try plan.window(ofTile: tile.index, in: source), mask: try mask.cropped(to: window))
        return try renderer.render(work, progress: TileProgressReporter())
    }
}
