import Foundation
import TesseraImaging
import XCTest

/// The tiled driver: tiled classical upscales equal untiled ones, progress is reported,
/// and output streams into a PNG file.
final class TiledUpscaleTests: XCTestCase {
    /// Crops of the real sample photographs, small enough for debug-mode tests.
    private func photos() throws -> [(String, RGBAImage)] {
        [
            ("astronaut", try FixturePaths.sample("astronaut").cropped(to: PixelRect(x: 150, y: 30, width: 176, height: 144))),
            ("coffee", try FixturePaths.sample("coffee").cropped(to: PixelRect(x: 120, y: 90, width: 150, height: 130))),
            ("chelsea", try FixturePaths.sample("chelsea").cropped(to: PixelRect(x: 120, y: 60, width: 161, height: 117))),
        ]
    }

    func testTiledLanczosEqualsUntiledLanczosForEveryTileSizeAndOrder() throws {
        for (name, photo) in try photos() {
            for scale in [2.0, 1.37] {
                let planner = TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: scale)
                let untiled = try Resampler.resize(photo, width: planner.targetWidth, height: planner.targetHeight, filter: .lanczos)
                for tileSize in [64, 128, 256, 512] {
                    for order in TileOrder.allCases {
                        var configured = planner
                        configured.tileSize = tileSize
                        configured.order = order
                        let plan = try configured.plan()
                        let tiled = try TiledUpscale(plan: plan).renderImage(renderer: ResamplingTileRenderer(source: photo))
                        // The spec allows ±1; regions use the exact taps of the full resize, so it is exact.
                        XCTAssertLessThanOrEqual(maximumDifference(tiled, untiled), 1, "\(name) ×\(scale) tile \(tileSize) \(order)")
                        XCTAssertEqual(tiled, untiled, "\(name) ×\(scale) tile \(tileSize) \(order)")
                    }
                }
            }
        }
    }

    func testAWholePhotographUpscaledInTilesEqualsTheUntiledUpscale() throws {
        let photo = try FixturePaths.sample("chelsea")
        let planner = TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: 2)
        let untiled = try Resampler.resize(photo, width: planner.targetWidth, height: planner.targetHeight)
        for (tileSize, order) in [(64, TileOrder.chess), (512, .linear)] {
            var configured = planner
            configured.tileSize = tileSize
            configured.order = order
            let plan = try configured.plan()
            let tiled = try TiledUpscale(plan: plan, concurrency: 2).renderImage(renderer: ResamplingTileRenderer(source: photo))
            XCTAssertEqual(tiled, untiled, "tile \(tileSize) \(order)")
        }
    }

    func testTiledBicubicAndNearestAlsoMatchUntiled() throws {
        let photo = try photos()[0].1
        for filter in [ResampleFilter.bicubic, .nearest] {
            let plan = try TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: 1.8, tileSize: 96).plan()
            let untiled = try Resampler.resize(photo, width: plan.targetWidth, height: plan.targetHeight, filter: filter)
            let tiled = try TiledUpscale(plan: plan).renderImage(renderer: ResamplingTileRenderer(source: photo, filter: filter))
            XCTAssertEqual(tiled, untiled, "\(filter)")
        }
    }

    func testProgressCountsEveryTileOnce() throws {
        let photo = try photos()[1].1
        let plan = try TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: 2, tileSize: 64).plan()
        let log = ProgressLog()
        _ = try TiledUpscale(plan: plan).renderImage(renderer: ResamplingTileRenderer(source: photo)) { log.append($0) }
        let events = log.events
        XCTAssertEqual(events.map(\.tilesDone), Array(1...plan.tiles.count))
        XCTAssertTrue(events.allSatisfy { $0.tilesTotal == plan.tiles.count })
        XCTAssertEqual(events.map(\.tile.index), plan.tiles.map(\.index))
        XCTAssertEqual(events.last?.rowsWritten, plan.targetHeight)
        XCTAssertEqual(zip(events, events.dropFirst()).filter { $0.rowsWritten > $1.rowsWritten }.count, 0)
    }

    func testStreamingIntoAPNGFileWritesTheBlendedImageAndParameters() throws {
        let directory = try FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let photo = try photos()[2].1
        let plan = try TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: 2, tileSize: 128, order: .chess).plan()
        let path = directory.appendingPathComponent("up.png").path
        try TiledUpscale(plan: plan).run(renderer: ResamplingTileRenderer(source: photo), writingTo: path,
                                         textChunks: [.parameters("Steps: 1, Size: \(plan.targetWidth)x\(plan.targetHeight)")])
        let written = try PNGImage.read(path: path)
        XCTAssertEqual(written.rgba8, try Resampler.resize(photo, width: plan.targetWidth, height: plan.targetHeight))
        XCTAssertEqual(written.parameters, "Steps: 1, Size: \(plan.targetWidth)x\(plan.targetHeight)")
    }

    func testARendererErrorStopsTheRunAndLeavesNoFile() throws {
        struct Broken: TileRenderer {
            func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
                if tile.index == 2 { throw ImagingError.misuse("renderer exploded") }
                return RGBAImage(width: tile.context.width, height: tile.context.height)
            }
        }
        let directory = try FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try TilePlanner(sourceWidth: 64, sourceHeight: 64, scale: 4, tileSize: 64).plan()
        let path = directory.appendingPathComponent("broken.png").path
        XCTAssertThrowsError(try TiledUpscale(plan: plan).run(renderer: Broken(), writingTo: path)) { error in
            XCTAssertEqual("\(error)", "renderer exploded")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testTiledClassicalUpscalesHaveNoVisibleSeams() throws {
        let photo = try FixturePaths.sample("coffee").cropped(to: PixelRect(x: 100, y: 80, width: 200, height: 160))
        let plan = try TilePlanner(sourceWidth: photo.width, sourceHeight: photo.height, scale: 2, tileSize: 128).plan()
        let image = try TiledUpscale(plan: plan).renderImage(renderer: ResamplingTileRenderer(source: photo))
        let metric = SeamMetric.measure(image, plan: plan)
        XCTAssertGreaterThan(metric.interiorGradient, 0)
        XCTAssertLessThan(metric.ratio, 1.5, "\(metric)")
    }
}

private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [TileProgress] = []
    func append(_ event: TileProgress) { lock.withLock { stored.append(event) } }
    var events: [TileProgress] { lock.withLock { stored } }
}
