import TesseraImaging

/// Feeds the live tile map (`preview.png` in the job folder, see `JobPreviewQueue`) from the loop's events.
/// Latent stages of Tiled Diffusion jobs have no pixels to show and are not drawn.
extension CoordinatorLoop {
    /// The output area a tile owns on the map: a feathered tile's core (cores partition the image), or a causal
    /// unit's changed region.
    func previewRegion(_ index: Int, of plan: UpscalePlan) -> PixelRect {
        index < plan.featherTileCount ? plan.tilePlan.tiles[index].core : plan.renderRect(index)
    }

    func previewTileStarted(_ key: TileKey, job: ActiveJob, workerId: String) {
        previews.begin(jobId: key.jobId, folder: job.folder, width: job.plan.outputWidth, height: job.plan.outputHeight)
        previews.started(jobId: key.jobId, tile: key.index, rect: previewRegion(key.index, of: job.plan), workerId: workerId)
    }

    func previewTileFinished(_ key: TileKey, job: ActiveJob, file: TileResultFile, workerId: String) {
        guard let pixels = try? RGBAImage(width: file.width, height: file.height, pixels: file.pixels) else { return }
        let covering = PixelRect(x: file.x, y: file.y, width: file.width, height: file.height)
        previews.begin(jobId: key.jobId, folder: job.folder, width: job.plan.outputWidth, height: job.plan.outputHeight)
        previews.finished(
            jobId: key.jobId, tile: key.index, pixels: pixels, covering: covering,
            region: previewRegion(key.index, of: job.plan), workerId: workerId)
    }

    /// Rewrites due previews and logs (once per failure) those that could not be written.
    func flushPreviews(now: Double) {
        previews.flush(now: now)
        for failure in previews.takeFailures() { logger.warning("live preview: \(failure)") }
    }
}
