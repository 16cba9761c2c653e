import TesseraImaging

/// Returns a transparent tile of the right size without computing anything: used only by the benchmark to measure
/// what the coordinator and the wire add per tile.
public struct BlankTileRenderer: WorkerTileRenderer {
    public init() {}
    public var names: [String] { ClassicalUpscaler.names }
    public var models: [AdvertisedModel] { [] }
    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        let rect = work.renderRect
        return RGBAImage(width: rect.width, height: rect.height, fill: (0, 0, 0, 0))
    }
}
