import TesseraImaging

/// The tile layout of one upscale job: the imaging library's `TilePlan` built from the job spec and the source
/// size. Derived only from those two, so coordinator, workers and the single-process driver all agree on it without
/// exchanging it.
public struct UpscalePlan: Sendable, Equatable {
    public let spec: UpscaleJobSpec
    public let tilePlan: TilePlan

    public init(spec: UpscaleJobSpec, sourceWidth: Int, sourceHeight: Int) throws {
        try spec.validate()
        guard sourceWidth > 0, sourceHeight > 0 else {
            throw ClusterError.invalidParameter(field: "image", reason: "is empty (\(sourceWidth)×\(sourceHeight))")
        }
        let size = spec.targetSize(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        guard size.width <= 65_536, size.height <= 65_536, size.width * size.height <= 1 << 30 else {
            throw ClusterError.invalidParameter(
                field: "scale", reason: "output \(size.width)×\(size.height) is larger than 2^30 pixels")
        }
        self.spec = spec
        do {
            tilePlan = try TilePlanner(
                sourceWidth: sourceWidth, sourceHeight: sourceHeight, targetWidth: size.width, targetHeight: size.height,
                tileSize: spec.tileWidth, padding: spec.padding, feather: spec.effectiveFeather, order: spec.order
            ).plan()
        } catch {
            throw ClusterError.invalidParameter(field: "tiles", reason: "\(error)")
        }
    }

    public var sourceWidth: Int { tilePlan.sourceWidth }
    public var sourceHeight: Int { tilePlan.sourceHeight }
    public var outputWidth: Int { tilePlan.targetWidth }
    public var outputHeight: Int { tilePlan.targetHeight }
    public var tileCount: Int { tilePlan.tiles.count }

    /// Tile indices in dispatch order. The plan already lists tiles in processing order (linear or chess), and a
    /// tile's index is its position in that list.
    public var dispatchOrder: [Int] { tilePlan.tiles.map(\.index) }

    /// The output rectangle tile `index` renders (its context: blend region plus padding).
    public func renderRect(_ index: Int) -> TesseraImaging.PixelRect { tilePlan.tiles[index].context }
}
