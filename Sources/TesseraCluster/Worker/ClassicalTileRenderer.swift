import TesseraImaging

/// Renders tiles with Pillow-exact resampling (Lanczos, bicubic, bilinear, nearest) from the imaging library.
public struct ClassicalTileRenderer: WorkerTileRenderer {
    public init() {}

    public var names: [String] { ClassicalUpscaler.names }
    public var models: [AdvertisedModel] { [] }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        guard ClassicalUpscaler.filter(named: work.plan.spec.upscaler) != nil else {
            throw TileRenderError.invalidParameters("unknown upscaler \"\(work.plan.spec.upscaler)\"")
        }
        guard work.source.sourceWidth == work.plan.sourceWidth, work.source.sourceHeight == work.plan.sourceHeight else {
            throw TileRenderError.invalidParameters(
                "source is \(work.source.sourceWidth)×\(work.source.sourceHeight), plan expects "
                    + "\(work.plan.sourceWidth)×\(work.plan.sourceHeight)")
        }
        do {
            let tile = try ClassicalUpscaler.renderTile(work.tileIndex, plan: work.plan, source: work.source)
            progress.report(1)
            return tile
        } catch {
            throw TileRenderError.failed("\(error)")
        }
    }
}
