/// Produces the pixels of one tile: an image covering exactly `tile.context` of the target.
/// Implementations: `ResamplingTileRenderer` here; the diffusion renderers live in the cluster.
public protocol TileRenderer: Sendable {
    func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage
}

/// The classical renderer: resamples the tile's context straight from the source image.
/// Tiles are bit-identical to the same pixels of an untiled `Resampler.resize`.
public struct ResamplingTileRenderer: TileRenderer {
    /// The source, or the part of it the tiles to render read.
    public let window: SourceWindow
    public let filter: ResampleFilter
    public let passOrder: ResamplePassOrder

    public init(source: RGBAImage, filter: ResampleFilter = .lanczos, passOrder: ResamplePassOrder = .pillow13) {
        self.init(window: SourceWindow(whole: source), filter: filter, passOrder: passOrder)
    }

    /// Renders from part of the source only; a tile reaching outside `window` fails naming it.
    public init(window: SourceWindow, filter: ResampleFilter = .lanczos, passOrder: ResamplePassOrder = .pillow13) {
        self.window = window
        self.filter = filter
        self.passOrder = passOrder
    }

    public func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
        guard window.sourceWidth == plan.sourceWidth, window.sourceHeight == plan.sourceHeight else {
            throw ImagingError.invalidArgument(
                argument: "renderer source",
                problem: "\(window.sourceWidth)×\(window.sourceHeight) differs from the plan's source \(plan.sourceWidth)×\(plan.sourceHeight)")
        }
        return try Resampler.resizeRegion(window, width: plan.targetWidth, height: plan.targetHeight,
                                          region: tile.context, filter: filter, passOrder: passOrder)
    }
}
