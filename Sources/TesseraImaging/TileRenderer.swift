/// Produces the pixels of one tile: an image covering exactly `tile.context` of the target.
/// Implementations: `ResamplingTileRenderer` here; the diffusion renderers live in the cluster.
public protocol TileRenderer: Sendable {
    func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage
}

/// The classical renderer: resamples the tile's context straight from the source image.
/// Tiles are bit-identical to the same pixels of an untiled `Resampler.resize`.
public struct ResamplingTileRenderer: TileRenderer {
    public let source: RGBAImage
    public let filter: ResampleFilter
    public let passOrder: ResamplePassOrder

    public init(source: RGBAImage, filter: ResampleFilter = .lanczos, passOrder: ResamplePassOrder = .pillow13) {
        self.source = source
        self.filter = filter
        self.passOrder = passOrder
    }

    public func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
        guard source.width == plan.sourceWidth, source.height == plan.sourceHeight else {
            throw ImagingError.invalidArgument(
                argument: "renderer source",
                problem: "\(source.width)×\(source.height) differs from the plan's source \(plan.sourceWidth)×\(plan.sourceHeight)")
        }
        return try Resampler.resizeRegion(source, width: plan.targetWidth, height: plan.targetHeight,
                                          region: tile.context, filter: filter, passOrder: passOrder)
    }
}
