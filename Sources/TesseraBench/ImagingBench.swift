import ArgumentParser
import Foundation
import TesseraImaging

/// `tessera-bench imaging`: streams a huge output (default 16384×16384) tile by tile
/// through the feather blender into a PNG and reports time and peak memory (VmHWM).
struct ImagingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imaging",
        abstract: "Streaming tiled PNG write through the feather blender: time and peak RSS.")

    @Option(help: "Output width and height in pixels.")
    var size = 16384

    @Option(help: "Tile size (core, output pixels).")
    var tileSize = 512

    @Option(help: "Context padding around each tile.")
    var padding = 32

    @Option(help: "Feather (overlap) width.")
    var feather = 32

    @Option(help: "Tile renderer: 'pattern' (synthetic, measures blending + writing) or 'lanczos' (resamples --source).")
    var renderer = "pattern"

    @Option(help: "Source PNG for the lanczos renderer (upscaled to --size).")
    var source: String?

    @Option(help: "zlib compression level 0–9 of the output PNG.")
    var compression = 1

    @Option(help: "Threads rendering tiles.")
    var concurrency = 2

    @Option(help: "Output PNG path (deleted afterwards unless --keep).")
    var output = "/tmp/tessera-imaging-bench.png"

    @Flag(help: "Keep the output file.")
    var keep = false

    @Flag(inversion: .prefixedNo, help: "Read the output back in row bands (streaming reader) and report its time and memory.")
    var readBack = true

    @Option(help: "Also write a diagram of a real plan (chelsea sample ×2, tile 256) to this path and exit.")
    var planDiagram: String?

    func run() throws {
        if let planDiagram {
            try writePlanDiagram(to: planDiagram)
            return
        }
        let tileRenderer: any TileRenderer
        let sourceSize: (Int, Int)
        switch renderer {
        case "pattern":
            tileRenderer = PatternTileRenderer()
            sourceSize = (size, size)
        case "lanczos":
            guard let source else { throw ValidationError("--renderer lanczos needs --source") }
            let image = try PNGImage.read(path: source).rgba8
            tileRenderer = ResamplingTileRenderer(source: image)
            sourceSize = (image.width, image.height)
        default:
            throw ValidationError("unknown renderer '\(renderer)' (pattern, lanczos)")
        }
        let plan = try TilePlanner(sourceWidth: sourceSize.0, sourceHeight: sourceSize.1, targetWidth: size, targetHeight: size,
                                   tileSize: tileSize, padding: padding, feather: feather).plan()
        print("imaging: \(size)×\(size) output, \(plan.tiles.count) tiles (\(plan.columns)×\(plan.rows)), renderer \(renderer), zlib \(compression)")
        let start = Date()
        let lastReport = ProgressClock()
        try TiledUpscale(plan: plan, concurrency: concurrency).run(
            renderer: tileRenderer, writingTo: output, compressionLevel: compression
        ) { progress in
            if lastReport.due() || progress.tilesDone == progress.tilesTotal {
                print("  \(progress.tilesDone)/\(progress.tilesTotal) tiles, \(progress.rowsWritten) rows written, VmHWM \(Self.peakRSSMiB()) MiB")
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print(String(format: "imaging: wrote %@ (%.1f MiB) in %.2f s, %.1f Mpixel/s", output, Double(bytes) / 1_048_576, seconds,
                     Double(size * size) / seconds / 1e6))
        print("imaging: peak RSS (VmHWM) \(Self.peakRSSMiB()) MiB (goal ≤ 1536 MiB)")
        if readBack { try readOutputBack() }
        if !keep { try? FileManager.default.removeItem(atPath: output) }
    }

    /// Streams the written file back in 256-row bands; the peak stays near the writer's.
    private func readOutputBack() throws {
        let start = Date()
        let reader = try PNGRowReader(path: output)
        var checksum: UInt64 = 0
        while reader.nextRow < reader.height {
            let band = try reader.readRows(min(256, reader.height - reader.nextRow))
            for (index, sample) in band.pixels.enumerated() where index % 4099 == 0 { checksum = checksum &* 31 &+ UInt64(sample) }
        }
        _ = try reader.finish()
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "imaging: read back %d×%d in 256-row bands in %.2f s (checksum %016llx), peak RSS (VmHWM) %d MiB",
                     reader.width, reader.height, seconds, checksum, Self.peakRSSMiB()))
    }

    private func writePlanDiagram(to path: String) throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tiles/samples")
        let photo = try PNGImage.read(path: samples.appendingPathComponent("chelsea.png").path).rgba8
        let plan = try TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: 2, tileSize: 256,
                                   padding: 32, feather: 32).plan()
        let upscaled = try TiledUpscale(plan: plan).renderImage(renderer: ResamplingTileRenderer(source: photo))
        let highlighted = plan.tile(row: 1, column: 1)?.index
        let diagram = try TilePlanDiagram.render(plan, background: upscaled, highlightedTile: highlighted)
        try diagram.writePNG(to: path, format: .rgb8, compressionLevel: 9)
        print("plan diagram: \(plan.targetWidth)×\(plan.targetHeight), \(plan.tiles.count) tiles → \(path)")
    }

    /// Peak resident set size from /proc/self/status (Linux), in MiB; -1 when unavailable.
    static func peakRSSMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes / 1024
        }
        return -1
    }
}

/// A cheap deterministic renderer: a smooth colour field of global output coordinates,
/// so overlapping tiles agree and the bench measures blending and writing, not resampling.
struct PatternTileRenderer: TileRenderer {
    func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
        let rect = tile.context
        var pixels = [UInt8](repeating: 255, count: rect.width * rect.height * 4)
        pixels.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rect.height {
                let y = rect.y + row
                for column in 0..<rect.width {
                    let x = rect.x + column
                    let index = (row * rect.width + column) * 4
                    buffer[index] = UInt8(truncatingIfNeeded: (x >> 4) ^ (y >> 6))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: (x + y) >> 5)
                    buffer[index + 2] = UInt8(truncatingIfNeeded: (x &* 3 ^ y) >> 3)
                }
            }
        }
        return try RGBAImage(width: rect.width, height: rect.height, pixels: pixels)
    }
}

private final class ProgressClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    func due() -> Bool {
        lock.withLock {
            let now = Date()
            if now.timeIntervalSince(last) < 5 { return false }
            last = now
            return true
        }
    }
}
