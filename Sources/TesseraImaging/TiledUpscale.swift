import Foundation

/// Progress of a tiled run, reported after each tile has been blended.
public struct TileProgress: Sendable, Hashable {
    public let tilesDone: Int
    public let tilesTotal: Int
    /// Output rows already handed to the sink / written to the file.
    public let rowsWritten: Int
    /// The tile just finished.
    public let tile: PlannedTile
}

/// Runs a `TilePlan` through a `TileRenderer`, feathers the tiles together and streams the
/// output rows to a sink or a PNG file, without ever holding the whole output.
public struct TiledUpscale: Sendable {
    public let plan: TilePlan
    /// Tiles rendered at the same time (on separate threads). The output does not depend on it.
    public let concurrency: Int

    public init(plan: TilePlan, concurrency: Int = 1) {
        self.plan = plan
        self.concurrency = max(1, concurrency)
    }

    /// Renders every tile (in `arrivalOrder`, default: the plan's order), blends, and passes
    /// finished row bands to `sink` top to bottom.
    public func run(renderer: some TileRenderer, arrivalOrder: [Int]? = nil,
                    progress: (@Sendable (TileProgress) -> Void)? = nil,
                    sink: @escaping FeatherBlender.RowSink) throws {
        let order = arrivalOrder ?? plan.tiles.map(\.index)
        guard order.sorted() == plan.tiles.map(\.index) else {
            throw ImagingError.invalidArgument(argument: "arrival order", problem: "must list every tile index exactly once")
        }
        let blender = FeatherBlender(plan: plan, sink: sink)
        let counter = TileCounter()
        let report: @Sendable (PlannedTile) -> Void = { tile in
            let done = counter.increment()
            progress?(TileProgress(tilesDone: done, tilesTotal: plan.tiles.count, rowsWritten: blender.rowsEmitted, tile: tile))
        }
        if concurrency == 1 {
            for index in order {
                let tile = plan.tiles[index]
                try blender.add(tile: index, image: renderer.render(tile, of: plan))
                report(tile)
            }
        } else {
            // Batches of `concurrency` tiles keep arrivals near plan order, which bounds memory.
            let failures = FailureBox()
            var start = 0
            while start < order.count {
                let batch = Array(order[start..<min(order.count, start + concurrency)])
                DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                    guard !failures.hasFailure else { return }
                    let tile = plan.tiles[batch[slot]]
                    do {
                        try blender.add(tile: tile.index, image: renderer.render(tile, of: plan))
                        report(tile)
                    } catch {
                        failures.record(error)
                    }
                }
                if let error = failures.first { throw error }
                start += batch.count
            }
        }
        try blender.finish()
    }

    /// Runs the plan and streams the result into a PNG file (8-bit RGB by default).
    public func run(renderer: some TileRenderer, writingTo path: String, format: PNGPixelFormat = .rgb8,
                    textChunks: [PNGTextChunk] = [], compressionLevel: Int = 6,
                    progress: (@Sendable (TileProgress) -> Void)? = nil) throws {
        let writer = try PNGWriter(path: path, width: plan.targetWidth, height: plan.targetHeight, format: format,
                                   textChunks: textChunks, compressionLevel: compressionLevel)
        let box = WriterBox(writer)
        try run(renderer: renderer, progress: progress) { band, _ in try box.writer.write(rows: band) }
        try writer.finish()
    }

    /// Runs the plan into an in-memory image (for small outputs and tests).
    public func renderImage(renderer: some TileRenderer, arrivalOrder: [Int]? = nil,
                            progress: (@Sendable (TileProgress) -> Void)? = nil) throws -> RGBAImage {
        let canvas = CanvasBox(RGBAImage(width: plan.targetWidth, height: plan.targetHeight))
        try run(renderer: renderer, arrivalOrder: arrivalOrder, progress: progress) { band, firstRow in
            canvas.image.paste(band, x: 0, y: firstRow)
        }
        return canvas.image
    }
}

/// The sink runs serially under the blender's lock, so these boxes need no locking of their own.
private final class WriterBox: @unchecked Sendable {
    let writer: PNGWriter
    init(_ writer: PNGWriter) { self.writer = writer }
}

private final class CanvasBox: @unchecked Sendable {
    var image: RGBAImage
    init(_ image: RGBAImage) { self.image = image }
}

private final class TileCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.withLock { count += 1; return count } }
}

private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    var hasFailure: Bool { lock.withLock { error != nil } }
    var first: Error? { lock.withLock { error } }
    func record(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }
}
