import TesseraImaging

/// The tile layout of one upscale job: the imaging library's `TilePlan` built from the job spec and the source
/// size. Derived only from those two, so coordinator, workers and the single-process driver all agree on it without
/// exchanging it.
public struct UpscalePlan: Sendable, Equatable {
    public let spec: UpscaleJobSpec
    /// The feathered tiles (in `usdu` mode only the geometry reference; its tiles are not rendered).
    public let tilePlan: TilePlan
    /// USDU redraw and seams fix units with their dependency graph; nil for a plain feathered job.
    public let causal: CausalPlan?

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
            // A generation job is one tile: the whole image, no padding, nothing to blend.
            let wholeImage = (max(size.width, size.height) + 7) / 8 * 8
            tilePlan = try TilePlanner(
                sourceWidth: sourceWidth, sourceHeight: sourceHeight, targetWidth: size.width, targetHeight: size.height,
                tileSize: spec.generation == nil ? spec.tileWidth : wholeImage,
                padding: spec.generation == nil ? spec.padding : 0,
                feather: spec.generation == nil ? spec.effectiveFeather : 0, order: spec.order
            ).plan()
        } catch {
            throw ClusterError.invalidParameter(field: "tiles", reason: "\(error)")
        }
        if spec.isCausal {
            do {
                causal = try CausalPlan(
                    spec: spec, width: size.width, height: size.height,
                    featherTiles: spec.tileMode == .usdu ? nil : tilePlan)
            } catch let error as ClusterError {
                throw error
            } catch {
                throw ClusterError.invalidParameter(field: "seams_fix_type", reason: "\(error)")
            }
        } else {
            causal = nil
        }
    }

    public var sourceWidth: Int { tilePlan.sourceWidth }
    public var sourceHeight: Int { tilePlan.sourceHeight }
    public var outputWidth: Int { tilePlan.targetWidth }
    public var outputHeight: Int { tilePlan.targetHeight }
    /// Feathered tiles rendered in parallel from the pre-upscaled source (0 in `usdu` mode).
    public var featherTileCount: Int { causal?.featherTileCount ?? tilePlan.tiles.count }
    /// Every tile of the job: feathered tiles first, then the causal units.
    public var tileCount: Int { featherTileCount + (causal?.units.count ?? 0) }

    /// Tile indices in dispatch order. The plan already lists tiles in processing order (linear or chess, then the
    /// seams fix passes), and a tile's index is its position in that list.
    public var dispatchOrder: [Int] { Array(0..<tileCount) }

    /// The output rectangle tile `index` renders: a feathered tile's context (blend region plus padding), or the
    /// changed region of a causal unit.
    public func renderRect(_ index: Int) -> TesseraImaging.PixelRect {
        if let unit = causal?.unit(forTile: index) { return unit.changedRegion }
        return tilePlan.tiles[index].context
    }

    /// Every tile's dependencies (causal units only), as the scheduler takes them.
    public var dependencyMap: [Int: [Int]] {
        var map: [Int: [Int]] = [:]
        for unit in causal?.units ?? [] where !unit.dependencies.isEmpty { map[unit.index] = unit.dependencies }
        return map
    }

    /// The tiles whose results tile `index` reads (empty for feathered tiles).
    public func dependencies(of index: Int) -> [Int] { causal?.unit(forTile: index)?.dependencies ?? [] }
}
