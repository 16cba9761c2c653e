import Foundation

/// Receives rendered tiles in any order, cross-fades their overlaps and emits finished
/// output rows top to bottom in bands, as soon as every tile touching them has arrived.
///
/// The result does not depend on arrival order, bit for bit: each output sample is
/// `Σ wᵢ·vᵢ / Σ wᵢ` over the tiles covering it, with integer weights and values summed in
/// `Int64` (exact, hence associative) and one rounded division at the end.
///
/// Memory: only the blend regions of tiles whose rows are not finished are kept, so with
/// tiles arriving roughly in row order (`TileOrder.linear`) a 16K output needs about one
/// row of tiles, never the whole image. Thread-safe: tiles may be added from any thread;
/// the sink is called on the adding thread, serially, in row order (it may read the
/// blender's counters but must not add tiles).
public final class FeatherBlender: @unchecked Sendable {
    /// Receives `band` (full output width) whose first row is output row `firstRow`.
    public typealias RowSink = (_ band: RGBAImage, _ firstRow: Int) throws -> Void

    /// The plan whose tiles are blended.
    public let plan: TilePlan
    /// Rows emitted per sink call at most (bounds the band buffer).
    public let maximumBandHeight: Int

    // Recursive so a sink may read the counters below; a sink must not add tiles.
    private let lock = NSRecursiveLock()
    private let sink: RowSink
    private var pending: [Int: [UInt8]] = [:]   // tile index → RGBA of its blend region
    private var arrived: [Bool]
    private var arrivedCount = 0
    private var nextRow = 0
    private var failure: Error?
    /// For each tile row of the grid, the tile indices in it (tiles of one grid row share rows).
    private let tilesByGridRow: [[Int]]

    /// - Parameters:
    ///   - maximumBandHeight: rows per sink call at most.
    ///   - sink: receives finished bands in row order (called while the blender's lock is held).
    public init(plan: TilePlan, maximumBandHeight: Int = 64, sink: @escaping RowSink) {
        self.plan = plan
        self.maximumBandHeight = max(1, maximumBandHeight)
        self.sink = sink
        arrived = [Bool](repeating: false, count: plan.tiles.count)
        var byRow = [[Int]](repeating: [], count: plan.rows)
        for tile in plan.tiles { byRow[tile.row].append(tile.index) }
        // Sum in a fixed (column) order anyway; the integer sums make it irrelevant, but it keeps reasoning simple.
        tilesByGridRow = byRow.map { row in row.sorted { plan.tiles[$0].column < plan.tiles[$1].column } }
    }

    /// Output rows emitted so far.
    public var rowsEmitted: Int { lock.withLock { nextRow } }
    /// Tiles received so far.
    public var tilesReceived: Int { lock.withLock { arrivedCount } }
    /// True once every output row has been emitted.
    public var isComplete: Bool { lock.withLock { nextRow == plan.targetHeight } }
    /// Tiles held in memory waiting for their rows to complete.
    public var tilesHeld: Int { lock.withLock { pending.count } }

    /// Adds the rendering of tile `index`: an image of exactly `tile.context`'s size.
    /// Emits every band that became complete. Fails on a wrong size, an unknown or repeated
    /// tile, or when the sink failed (then the blender stays failed).
    public func add(tile index: Int, image: RGBAImage) throws {
        guard plan.tiles.indices.contains(index) else {
            throw ImagingError.invalidArgument(argument: "tile index", problem: "\(index) is not in a plan of \(plan.tiles.count) tiles")
        }
        let tile = plan.tiles[index]
        guard image.width == tile.context.width, image.height == tile.context.height else {
            throw ImagingError.invalidArgument(
                argument: "tile \(index) image",
                problem: "\(image.width)×\(image.height) does not match its context \(tile.context.width)×\(tile.context.height)")
        }
        // Cut the blend region out before taking the lock: that is the only part kept.
        let region = PixelRect(x: tile.blendRegion.x - tile.context.x, y: tile.blendRegion.y - tile.context.y,
                               width: tile.blendRegion.width, height: tile.blendRegion.height)
        let kept = try image.cropped(to: region).pixels
        try lock.withLock {
            if let failure { throw failure }
            guard !arrived[index] else {
                throw ImagingError.misuse("tile \(index) was added twice")
            }
            arrived[index] = true
            arrivedCount += 1
            pending[index] = kept
            do {
                try emitReadyRows()
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Checks that every tile arrived and every row was emitted.
    public func finish() throws {
        try lock.withLock {
            if let failure { throw failure }
            guard nextRow == plan.targetHeight else {
                let missing = arrived.indices.filter { !arrived[$0] }
                throw ImagingError.misuse(
                    "blending incomplete: \(nextRow) of \(plan.targetHeight) rows emitted, missing tiles \(missing.prefix(10).map(String.init).joined(separator: ", "))\(missing.count > 10 ? ", …" : "")")
            }
        }
    }

    /// Grid rows whose blend regions contain output row `y`.
    private func gridRows(covering y: Int) -> [Int] {
        (0..<plan.rows).filter { gridRow in
            let region = plan.tiles[tilesByGridRow[gridRow][0]].blendRegion
            return y >= region.y && y < region.maxY
        }
    }

    private func rowIsReady(_ y: Int) -> Bool {
        gridRows(covering: y).allSatisfy { tilesByGridRow[$0].allSatisfy { arrived[$0] } }
    }

    private func emitReadyRows() throws {
        while nextRow < plan.targetHeight && rowIsReady(nextRow) {
            var end = nextRow + 1
            while end < plan.targetHeight && end - nextRow < maximumBandHeight && rowIsReady(end) { end += 1 }
            let band = composeRows(nextRow..<end)
            try sink(band, nextRow)
            nextRow = end
            releaseFinishedTiles()
        }
    }

    private func releaseFinishedTiles() {
        for index in Array(pending.keys) where plan.tiles[index].blendRegion.maxY <= nextRow {
            pending[index] = nil
        }
    }

    private func composeRows(_ rows: Range<Int>) -> RGBAImage {
        let width = plan.targetWidth
        var out = [UInt8](repeating: 0, count: width * rows.count * 4)
        var sums = [Int64](repeating: 0, count: width * 4)
        var weights = [Int64](repeating: 0, count: width)
        for y in rows {
            for index in sums.indices { sums[index] = 0 }
            for index in weights.indices { weights[index] = 0 }
            for gridRow in gridRows(covering: y) {
                for tileIndex in tilesByGridRow[gridRow] {
                    let tile = plan.tiles[tileIndex]
                    guard let samples = pending[tileIndex] else { continue }
                    let region = tile.blendRegion
                    let rowWeight = Int64(tile.rowWeights[y - region.y])
                    samples.withUnsafeBufferPointer { source in
                        tile.columnWeights.withUnsafeBufferPointer { columnWeights in
                            sums.withUnsafeMutableBufferPointer { sum in
                                weights.withUnsafeMutableBufferPointer { total in
                                    var from = (y - region.y) * region.width * 4
                                    for column in 0..<region.width {
                                        let weight = rowWeight * Int64(columnWeights[column])
                                        let x = region.x + column
                                        total[x] += weight
                                        sum[x * 4] += weight * Int64(source[from])
                                        sum[x * 4 + 1] += weight * Int64(source[from + 1])
                                        sum[x * 4 + 2] += weight * Int64(source[from + 2])
                                        sum[x * 4 + 3] += weight * Int64(source[from + 3])
                                        from += 4
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let base = (y - rows.lowerBound) * width * 4
            for x in 0..<width {
                let total = weights[x]
                // Cores partition the image, so every pixel has at least one tile of positive weight.
                for channel in 0..<4 {
                    out[base + x * 4 + channel] = UInt8((sums[x * 4 + channel] + total / 2) / total)
                }
            }
        }
        return RGBAImage(uncheckedWidth: width, height: rows.count, pixels: out)
    }
}
