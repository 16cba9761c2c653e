/// Splits a target image into overlapping tiles, Ultimate SD Upscale style.
///
/// Geometry (see tiles/README.md for a picture):
/// - The output is cut into `ceil(W / tileSize)` × `ceil(H / tileSize)` cores of equal size
///   (±1 pixel), so no core is larger than `tileSize` and there are no sliver tiles.
/// - Each tile contributes to its core widened by `feather / 2` towards each neighbour, so
///   neighbours overlap by `feather` pixels, where weights ramp smoothly (smoothstep) from
///   one tile to the other. The two ramps are mirror images, so weights sum to one.
/// - Each tile renders a context of `tileSize + 2·padding` pixels per axis (or the whole
///   axis when the image is smaller), centred on its core and shifted inside the image at
///   edges. It always covers the blend region plus `padding` pixels on inner sides.
public struct TilePlanner: Sendable, Hashable {
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var targetWidth: Int
    public var targetHeight: Int
    /// Core size limit in output pixels; a multiple of 8 (default 512, as in Ultimate SD Upscale).
    public var tileSize: Int
    /// Extra context rendered around each tile (default 32, Ultimate SD Upscale's padding).
    public var padding: Int
    /// Width of the overlap where neighbouring tiles are cross-faded; even, at most 2·padding.
    public var feather: Int
    public var order: TileOrder

    public init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int,
                tileSize: Int = 512, padding: Int = 32, feather: Int = 32, order: TileOrder = .linear) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        self.tileSize = tileSize
        self.padding = padding
        self.feather = feather
        self.order = order
    }

    /// A planner for upscaling by `scale`; the target size is `source × scale` rounded
    /// down, as Ultimate SD Upscale computes it (`int(width * scale)`).
    public init(sourceWidth: Int, sourceHeight: Int, scale: Double,
                tileSize: Int = 512, padding: Int = 32, feather: Int = 32, order: TileOrder = .linear) {
        self.init(sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                  targetWidth: Int(Double(sourceWidth) * scale), targetHeight: Int(Double(sourceHeight) * scale),
                  tileSize: tileSize, padding: padding, feather: feather, order: order)
    }

    /// Ultimate SD Upscale's "Scale from image size" target: each side times `scale`,
    /// rounded up to a multiple of 64 (`⌈w·scale/64⌉·64`).
    public static func ultimateUpscaleTargetSize(sourceWidth: Int, sourceHeight: Int, scale: Double) -> (width: Int, height: Int) {
        func snap(_ side: Int) -> Int { Int((Double(side) * scale / 64).rounded(.up)) * 64 }
        return (snap(sourceWidth), snap(sourceHeight))
    }

    private func validate() throws {
        func check(_ ok: Bool, _ argument: String, _ problem: String) throws {
            if !ok { throw ImagingError.invalidArgument(argument: argument, problem: problem) }
        }
        try check(sourceWidth > 0 && sourceHeight > 0, "source size", "\(sourceWidth)×\(sourceHeight) must be positive")
        try check(targetWidth > 0 && targetHeight > 0, "target size", "\(targetWidth)×\(targetHeight) must be positive")
        try check(tileSize >= 8 && tileSize % 8 == 0, "tile size", "\(tileSize) must be a positive multiple of 8")
        try check(padding >= 0, "padding", "\(padding) must not be negative")
        try check(feather >= 0 && feather % 2 == 0, "feather", "\(feather) must be an even number ≥ 0")
        try check(feather <= 2 * padding, "feather", "\(feather) exceeds twice the padding (\(padding)); the overlap must lie inside the rendered context")
        try check(feather < tileSize, "feather", "\(feather) must be smaller than the tile size \(tileSize)")
    }

    /// Builds the plan; fails with an `ImagingError.invalidArgument` naming the bad setting.
    public func plan() throws -> TilePlan {
        try validate()
        let columnSpans = TilePlanner.partition(length: targetWidth, limit: tileSize)
        let rowSpans = TilePlanner.partition(length: targetHeight, limit: tileSize)
        let columnAxes = columnSpans.indices.map {
            AxisLayout(spans: columnSpans, index: $0, length: targetWidth, tileSize: tileSize, padding: padding, feather: feather,
                       sourceLength: sourceWidth)
        }
        let rowAxes = rowSpans.indices.map {
            AxisLayout(spans: rowSpans, index: $0, length: targetHeight, tileSize: tileSize, padding: padding, feather: feather,
                       sourceLength: sourceHeight)
        }
        var positions: [(row: Int, column: Int)] = []
        for row in rowSpans.indices {
            for column in columnSpans.indices { positions.append((row, column)) }
        }
        if order == .chess {
            positions = positions.filter { ($0.row + $0.column) % 2 == 0 } + positions.filter { ($0.row + $0.column) % 2 == 1 }
        }
        let tiles = positions.enumerated().map { index, position in
            let x = columnAxes[position.column], y = rowAxes[position.row]
            return PlannedTile(
                index: index, row: position.row, column: position.column,
                core: PixelRect(x: x.core.lowerBound, y: y.core.lowerBound, width: x.core.count, height: y.core.count),
                blendRegion: PixelRect(x: x.blend.lowerBound, y: y.blend.lowerBound, width: x.blend.count, height: y.blend.count),
                context: PixelRect(x: x.context.lowerBound, y: y.context.lowerBound, width: x.context.count, height: y.context.count),
                sourceBox: SourceBox(x0: x.sourceBox.lowerBound, y0: y.sourceBox.lowerBound,
                                     x1: x.sourceBox.upperBound, y1: y.sourceBox.upperBound),
                sourceContext: PixelRect(x: x.sourcePixels.lowerBound, y: y.sourcePixels.lowerBound,
                                         width: x.sourcePixels.count, height: y.sourcePixels.count),
                columnWeights: x.weights, rowWeights: y.weights)
        }
        return TilePlan(sourceWidth: sourceWidth, sourceHeight: sourceHeight, targetWidth: targetWidth, targetHeight: targetHeight,
                        tileSize: tileSize, padding: padding, feather: feather, order: order,
                        rows: rowSpans.count, columns: columnSpans.count, tiles: tiles)
    }

    /// `ceil(length / limit)` consecutive spans of near-equal size covering `0..<length`.
    static func partition(length: Int, limit: Int) -> [Range<Int>] {
        let count = (length + limit - 1) / limit
        return (0..<count).map { index in (index * length / count)..<((index + 1) * length / count) }
    }
}

/// The one-axis geometry of one grid line of tiles; tiles are products of two of these.
struct AxisLayout {
    let core: Range<Int>
    let blend: Range<Int>
    let context: Range<Int>
    let sourceBox: ClosedRange<Double>
    let sourcePixels: Range<Int>
    let weights: [Int32]

    init(spans: [Range<Int>], index: Int, length: Int, tileSize: Int, padding: Int, feather: Int, sourceLength: Int) {
        core = spans[index]
        let half = feather / 2
        let hasBefore = index > 0
        let hasAfter = index < spans.count - 1
        blend = (hasBefore ? core.lowerBound - half : core.lowerBound)..<(hasAfter ? core.upperBound + half : core.upperBound)

        // Fixed context size, centred on the core, shifted back inside the image at the edges.
        let size = min(tileSize + 2 * padding, length)
        var start = core.lowerBound - padding - (tileSize - core.count) / 2
        start = max(0, min(start, length - size))
        context = start..<(start + size)

        let scale = Double(sourceLength) / Double(length)
        sourceBox = (Double(context.lowerBound) * scale)...(Double(context.upperBound) * scale)
        let low = max(0, Int(sourceBox.lowerBound.rounded(.down)))
        let high = min(sourceLength, Int(sourceBox.upperBound.rounded(.up)))
        sourcePixels = low..<max(low, high)

        weights = blend.map { position in
            AxisLayout.weight(at: position, core: spans[index], half: half, rampBefore: hasBefore, rampAfter: hasAfter)
        }
    }

    /// Smoothstep ramps across the overlaps: at a pixel centre `t` of the way through an
    /// overlap this tile weighs `s(t)` and its neighbour `s(1 - t) = 1 - s(t)`.
    static func weight(at position: Int, core: Range<Int>, half: Int, rampBefore: Bool, rampAfter: Bool) -> Int32 {
        var weight = 1.0
        let centre = Double(position) + 0.5
        let width = Double(2 * half)
        if rampBefore && half > 0 {
            let t = (centre - Double(core.lowerBound - half)) / width
            weight *= smoothstep(t)
        }
        if rampAfter && half > 0 {
            let t = (Double(core.upperBound + half) - centre) / width
            weight *= smoothstep(t)
        }
        // Every pixel of the blend region keeps a non-zero weight so the sum never vanishes.
        return max(1, Int32((weight * Double(TilePlan.weightOne)).rounded()))
    }

    static func smoothstep(_ t: Double) -> Double {
        let clamped = min(1, max(0, t))
        return clamped * clamped * (3 - 2 * clamped)
    }
}
