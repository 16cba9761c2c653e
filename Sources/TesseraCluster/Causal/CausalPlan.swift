import TesseraImageOps
import TesseraImaging

/// The causal part of an upscale job: Ultimate SD Upscale's redraw tiles (`tile_mode = "usdu"`) and/or its seams fix
/// passes, as a list of units in USDU's order with a dependency graph.
///
/// Unit k depends on every earlier unit whose changed region (mask rectangle plus blur tail) meets k's crop box. Giving
/// unit k a canvas made of the base image with its dependencies' results pasted in index order reproduces, inside its
/// crop box, exactly the image a sequential USDU run would hand it, so units can run in parallel wherever the graph
/// allows and the output does not depend on worker count or arrival order.
public struct CausalPlan: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Feathered tiles that make up the base image before the first unit (0 in `usdu` mode). Units have tile indices
    /// `featherTileCount...`, and each depends on all feathered tiles.
    public let featherTileCount: Int
    public let units: [CausalUnit]
    /// The distinct mask stamps the units paste.
    public let stamps: [GreyImage]

    /// Builds the units of `spec` for a `width`×`height` output. `columnStarts`/`rowStarts` are the first output
    /// pixel of every tile column/row: USDU's `k·tile` grid in `usdu` mode, the feathered plan's cores otherwise.
    public init(spec: UpscaleJobSpec, width: Int, height: Int, featherTiles: TilePlan?) throws {
        self.width = width
        self.height = height
        let tw = spec.tileWidth, th = spec.effectiveTileHeight
        var columnStarts: [Int], rowStarts: [Int]
        if let featherTiles {
            featherTileCount = featherTiles.tiles.count
            columnStarts = [0] + featherTiles.columnBoundaries
            rowStarts = [0] + featherTiles.rowBoundaries
        } else {
            featherTileCount = 0
            columnStarts = Array(stride(from: 0, to: width, by: tw))
            rowStarts = Array(stride(from: 0, to: height, by: th))
        }
        let rows = rowStarts.count, cols = columnStarts.count
        var builder = Builder(width: width, height: height, firstIndex: featherTileCount)

        if featherTiles == nil {
            // §6.3: a white (tw+1)×(th+1) rectangle (PIL draws both end coordinates), render size ⌈(tile+pad)/64⌉·64.
            let rectangle = builder.addStamp(GreyImage(width: tw + 1, height: th + 1, value: 255))
            var positions: [(Int, Int)] = []
            for yi in 0..<rows { for xi in 0..<cols { positions.append((yi, xi)) } }
            if spec.order == .chess {
                // White tiles ((xi even) XOR (yi odd)) row-major, then the black ones.
                let white = positions.filter { ($0.1 % 2 == 0) != ($0.0 % 2 == 1) }
                positions = white + positions.filter { ($0.1 % 2 == 0) == ($0.0 % 2 == 1) }
            }
            let renderW = (tw + spec.padding + 63) / 64 * 64, renderH = (th + spec.padding + 63) / 64 * 64
            for (yi, xi) in positions {
                try builder.add(
                    kind: .redraw(row: yi, column: xi), stamp: rectangle, x: xi * tw, y: yi * th,
                    renderWidth: renderW, renderHeight: renderH, padding: spec.padding, maskBlur: spec.maskBlur)
            }
        }

        let pad = spec.seamsFixPadding, blur = spec.seamsFixMaskBlur
        switch spec.seamsFixType {
        case .none:
            break
        case .bandPass:
            let sw = spec.seamsFixWidth
            if cols > 1 {
                let band = builder.addStamp(try USDUGradients.verticalBand(seamWidth: sw, imageHeight: height))
                for xi in 1..<cols {
                    try builder.add(
                        kind: .bandVertical(column: xi), stamp: band, x: columnStarts[xi] - sw / 2, y: 0,
                        renderWidth: sw + 2 * pad, renderHeight: height, padding: pad, maskBlur: 0)
                }
            }
            if rows > 1 {
                let band = builder.addStamp(try USDUGradients.horizontalBand(seamWidth: sw, imageWidth: width))
                for yi in 1..<rows {
                    try builder.add(
                        kind: .bandHorizontal(row: yi), stamp: band, x: 0, y: rowStarts[yi] - sw / 2,
                        renderWidth: width, renderHeight: sw + 2 * pad, padding: pad, maskBlur: 0)
                }
            }
        case .halfTile, .halfTileIntersections:
            if rows > 1 {
                let gradient = builder.addStamp(try USDUGradients.halfTileRow(tileWidth: tw, tileHeight: th))
                for yi in 0..<(rows - 1) {
                    for xi in 0..<cols {
                        try builder.add(
                            kind: .halfTileRow(row: yi, column: xi), stamp: gradient, x: columnStarts[xi],
                            y: rowStarts[yi + 1] - th / 2, renderWidth: tw, renderHeight: th, padding: pad, maskBlur: blur)
                    }
                }
            }
            if cols > 1 {
                let gradient = builder.addStamp(try USDUGradients.halfTileColumn(tileWidth: tw, tileHeight: th))
                for yi in 0..<rows {
                    for xi in 0..<(cols - 1) {
                        try builder.add(
                            kind: .halfTileColumn(row: yi, column: xi), stamp: gradient, x: columnStarts[xi + 1] - tw / 2,
                            y: rowStarts[yi], renderWidth: tw, renderHeight: th, padding: pad, maskBlur: blur)
                    }
                }
            }
            if spec.seamsFixType == .halfTileIntersections, rows > 1, cols > 1 {
                let gradient = builder.addStamp(try USDUGradients.intersection(tileWidth: tw, tileHeight: th))
                for yi in 0..<(rows - 1) {
                    for xi in 0..<(cols - 1) {
                        // USDU runs the intersections with padding 0.
                        try builder.add(
                            kind: .intersection(row: yi, column: xi), stamp: gradient, x: columnStarts[xi + 1] - tw / 2,
                            y: rowStarts[yi + 1] - th / 2, renderWidth: tw, renderHeight: th, padding: 0, maskBlur: blur)
                    }
                }
            }
        }
        units = builder.units
        stamps = builder.stamps
    }

    /// The unit with tile index `index`, nil for a feathered tile.
    public func unit(forTile index: Int) -> CausalUnit? {
        let position = index - featherTileCount
        return units.indices.contains(position) ? units[position] : nil
    }

    /// The unit's full-image mask (before blur) inside `rect`.
    public func mask(of unit: CausalUnit, in rect: PixelRect) -> GreyImage {
        USDUGradients.pasted(
            stamps[unit.stamp], onBlackOf: rect.width, rect.height, x: unit.stampRect.x - rect.x,
            y: unit.stampRect.y - rect.y)
    }

    /// The unit's blurred mask inside `rect` (which must contain the unit's window, or at least its changed region
    /// plus the blur reach, for the values to equal the whole-image blur).
    public func blurredMask(of unit: CausalUnit, in rect: PixelRect) throws -> GreyImage {
        try MaskBlur(Double(unit.maskBlur)).apply(mask(of: unit, in: rect))
    }

    /// Units grouped into waves: every unit of a wave depends only on earlier waves, so a wave can render in parallel.
    public var waves: [[Int]] {
        var level: [Int: Int] = [:]
        var result: [[Int]] = []
        for unit in units {
            let depth = (unit.dependencies.compactMap { level[$0] }.max() ?? -1) + 1
            level[unit.index] = depth
            if depth == result.count { result.append([]) }
            result[depth].append(unit.index)
        }
        return result
    }

    /// Collects units in order and works out their geometry and dependencies.
    struct Builder {
        let width: Int
        let height: Int
        let firstIndex: Int
        var units: [CausalUnit] = []
        var stamps: [GreyImage] = []

        init(width: Int, height: Int, firstIndex: Int) {
            self.width = width
            self.height = height
            self.firstIndex = firstIndex
        }

        var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

        mutating func addStamp(_ stamp: GreyImage) -> Int {
            stamps.append(stamp)
            return stamps.count - 1
        }

        mutating func add(
            kind: CausalUnit.Kind, stamp: Int, x: Int, y: Int, renderWidth: Int, renderHeight: Int, padding: Int,
            maskBlur: Int
        ) throws {
            // The pipeline renders 64...8192 pixels per side (A1111's UI limits).
            for (side, name) in [(renderWidth, "width"), (renderHeight, "height")] where !(64...8192).contains(side / 8 * 8) {
                let field: String
                switch kind {
                case .redraw: field = "tile_width"
                case .bandVertical, .bandHorizontal: field = "seams_fix_width"
                default: field = "tile_width"
                }
                throw ClusterError.invalidParameter(
                    field: field,
                    reason: "gives a \(kind.passName) render \(name) of \(side) pixels; Stable Diffusion renders 64...8192")
            }
            let image = stamps[stamp]
            let stampRect = PixelRect(x: x, y: y, width: image.width, height: image.height)
            guard let inside = image.nonZeroBoundingBox else { return }
            let support = bounds.intersection(
                PixelRect(x: x + inside.x, y: y + inside.y, width: inside.width, height: inside.height))
            guard !support.isEmpty else { return }
            // The blur reads `reach` pixels to each side; one more keeps OpenCV's reflect-101 border from folding
            // mask pixels back in, so blurring this excerpt equals blurring the whole image here.
            let reach = maskBlur > 0 ? MaskBlur.kernelSize(for: Double(maskBlur)) / 2 + 1 : 0
            let blurWindow = bounds.intersection(support.grown(by: reach))
            let blurred = try MaskBlur(Double(maskBlur)).apply(
                USDUGradients.pasted(image, onBlackOf: blurWindow.width, blurWindow.height, x: x - blurWindow.x,
                                     y: y - blurWindow.y))
            guard let box = blurred.nonZeroBoundingBox else { return }
            let changed = PixelRect(x: blurWindow.x + box.x, y: blurWindow.y + box.y, width: box.width, height: box.height)
            // A1111 `get_crop_region_v2` + `expand_crop_region` at the size the pipeline renders (multiples of 8).
            let padded = bounds.intersection(changed.grown(by: padding))
            let crop = CropRegion(x1: padded.x, y1: padded.y, x2: padded.maxX, y2: padded.maxY).expanded(
                toAspectOf: renderWidth / 8 * 8, renderHeight / 8 * 8, imageWidth: width, imageHeight: height)
            let cropBox = crop.rect
            let window = blurWindow.union(cropBox)
            var dependencies = Array(0..<firstIndex)
            for earlier in units where !earlier.changedRegion.intersection(cropBox).isEmpty {
                dependencies.append(earlier.index)
            }
            units.append(CausalUnit(
                index: firstIndex + units.count, kind: kind, stamp: stamp, stampRect: stampRect,
                renderWidth: renderWidth, renderHeight: renderHeight, padding: padding, maskBlur: maskBlur,
                cropBox: cropBox, window: window, changedRegion: changed, dependencies: dependencies))
        }
    }
}

extension PixelRect {
    /// The rectangle widened by `amount` on every side (not clipped).
    func grown(by amount: Int) -> PixelRect {
        PixelRect(x: x - amount, y: y - amount, width: width + 2 * amount, height: height + 2 * amount)
    }

    /// The smallest rectangle holding both.
    func union(_ other: PixelRect) -> PixelRect {
        let x0 = min(x, other.x), y0 = min(y, other.y)
        return PixelRect(x: x0, y: y0, width: max(maxX, other.maxX) - x0, height: max(maxY, other.maxY) - y0)
    }
}
