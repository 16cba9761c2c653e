import TesseraImaging

/// Lets the in-process driver (`TiledUpscale`) use a worker renderer, so a single-process job renders every tile
/// through exactly the code a cluster worker runs.
struct WorkerRendererAdapter: TileRenderer {
    let renderer: any WorkerTileRenderer
    let plan: UpscalePlan
    let source: RGBAImage

    func render(_ tile: PlannedTile, of tilePlan: TilePlan) throws -> RGBAImage {
        let work = TileWork(jobId: "in-process", tileIndex: tile.index, attempt: 0, plan: plan, source: source)
        return try renderer.render(work, progress: TileProgressReporter())
    }
}
