import Foundation
import TesseraImaging
import XCTest

/// A renderer whose tiles disagree with each other (each tile is the resampled image
/// shifted by its own brightness offset), so blending really mixes different values.
struct DisagreeingTileRenderer: TileRenderer {
    let base: ResamplingTileRenderer
    let strength: Int

    func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
        var image = try base.render(tile, of: plan)
        let offset = ((tile.row * 7 + tile.column * 13) % 5 - 2) * strength
        for index in image.pixels.indices where index % 4 != 3 {
            image.pixels[index] = UInt8(clamping: Int(image.pixels[index]) + offset)
        }
        return image
    }
}

/// Feathered blending: order independence, streaming, smooth overlaps, clear misuse errors.
final class FeatherBlenderTests: XCTestCase {
    private func blend(plan: TilePlan, renderer: some TileRenderer, order: [Int]) throws -> RGBAImage {
        try TiledUpscale(plan: plan).renderImage(renderer: renderer, arrivalOrder: order)
    }

    func testTheResultIsIndependentOfTileArrivalOrderBitForBit() throws {
        let source = try FixturePaths.sample("coffee").cropped(to: PixelRect(x: 150, y: 100, width: 120, height: 90))
        let renderer = DisagreeingTileRenderer(base: ResamplingTileRenderer(source: source), strength: 9)
        for order in TileOrder.allCases {
            let plan = try TilePlanner(sourceWidth: 120, sourceHeight: 90, scale: 2.3, tileSize: 64, padding: 16, feather: 24,
                                       order: order).plan()
            let reference = try blend(plan: plan, renderer: renderer, order: plan.tiles.map(\.index))
            var generator = SplitMix(seed: 42)
            for _ in 0..<4 {
                let shuffled = plan.tiles.map(\.index).shuffled(using: &generator)
                XCTAssertEqual(try blend(plan: plan, renderer: renderer, order: shuffled), reference, "\(order)")
            }
            XCTAssertEqual(try blend(plan: plan, renderer: renderer, order: plan.tiles.map(\.index).reversed()), reference)
        }
    }

    func testConcurrentRenderingGivesTheSameBits() throws {
        let source = try FixturePaths.sample("chelsea").cropped(to: PixelRect(x: 100, y: 50, width: 100, height: 80))
        let renderer = DisagreeingTileRenderer(base: ResamplingTileRenderer(source: source), strength: 6)
        let plan = try TilePlanner(sourceWidth: 100, sourceHeight: 80, scale: 2, tileSize: 64, padding: 16, feather: 16).plan()
        let serial = try TiledUpscale(plan: plan).renderImage(renderer: renderer)
        let parallel = try TiledUpscale(plan: plan, concurrency: 3).renderImage(renderer: renderer)
        XCTAssertEqual(serial, parallel)
    }

    func testRowsStreamOutBeforeAllTilesArriveAndFinishedTilesAreReleased() throws {
        let plan = try TilePlanner(sourceWidth: 64, sourceHeight: 64, targetWidth: 256, targetHeight: 256,
                                   tileSize: 64, padding: 8, feather: 16).plan()
        var emitted: [(first: Int, count: Int)] = []
        let blender = FeatherBlender(plan: plan) { band, first in emitted.append((first, band.height)) }
        let renderer = ResamplingTileRenderer(source: RGBAImage(width: 64, height: 64, fill: (10, 20, 30, 255)))
        var maximumHeld = 0
        for tile in plan.tiles {
            try blender.add(tile: tile.index, image: renderer.render(tile, of: plan))
            maximumHeld = max(maximumHeld, blender.tilesHeld)
            if tile.index == plan.columns - 1 {
                // The first grid row is complete: its rows above the next row's overlap are out.
                XCTAssertEqual(blender.rowsEmitted, plan.tiles[plan.columns].blendRegion.y)
            }
        }
        try blender.finish()
        XCTAssertTrue(blender.isComplete)
        XCTAssertLessThanOrEqual(maximumHeld, 2 * plan.columns)
        XCTAssertEqual(blender.tilesHeld, 0)
        var next = 0
        for band in emitted {
            XCTAssertEqual(band.first, next, "bands must arrive in row order without gaps")
            XCTAssertLessThanOrEqual(band.count, blender.maximumBandHeight)
            next += band.count
        }
        XCTAssertEqual(next, 256)
    }

    func testOverlapsCrossFadeSmoothlyBetweenDifferentTiles() throws {
        let plan = try TilePlanner(sourceWidth: 64, sourceHeight: 32, targetWidth: 128, targetHeight: 32,
                                   tileSize: 64, padding: 16, feather: 32).plan()
        XCTAssertEqual(plan.tiles.count, 2)
        var row: [UInt8] = []
        let blender = FeatherBlender(plan: plan) { band, first in
            if first == 0 { row = Array(band.pixels[0..<(128 * 4)]) }
        }
        for tile in plan.tiles {
            let value: UInt8 = tile.column == 0 ? 0 : 200
            try blender.add(tile: tile.index, image: RGBAImage(width: tile.context.width, height: tile.context.height, fill: (value, value, value, 255)))
        }
        try blender.finish()
        let reds = stride(from: 0, to: row.count, by: 4).map { Int(row[$0]) }
        XCTAssertEqual(reds[0..<48].max(), 0)
        XCTAssertEqual(reds[80...].min(), 200)
        XCTAssertEqual(reds[63] + reds[64], 200, accuracy: 1)  // symmetric around the core border
        for x in 48..<80 {
            XCTAssertLessThanOrEqual(reds[x], reds[x + 1])
            XCTAssertLessThanOrEqual(reds[x + 1] - reds[x], 12, "no step larger than the ramp allows at \(x)")
        }
    }

    func testFeatheringMakesSeamsMeasurablyLessVisibleThanHardEdges() throws {
        let source = try FixturePaths.sample("astronaut").cropped(to: PixelRect(x: 160, y: 40, width: 128, height: 128))
        let base = ResamplingTileRenderer(source: source)
        let renderer = DisagreeingTileRenderer(base: base, strength: 8)
        let hardPlan = try TilePlanner(sourceWidth: 128, sourceHeight: 128, scale: 2, tileSize: 64, padding: 16, feather: 0).plan()
        let softPlan = try TilePlanner(sourceWidth: 128, sourceHeight: 128, scale: 2, tileSize: 64, padding: 16, feather: 32).plan()
        let hard = SeamMetric.measure(try TiledUpscale(plan: hardPlan).renderImage(renderer: renderer), plan: hardPlan, margin: 17)
        let soft = SeamMetric.measure(try TiledUpscale(plan: softPlan).renderImage(renderer: renderer), plan: softPlan, margin: 17)
        let clean = SeamMetric.measure(try TiledUpscale(plan: softPlan).renderImage(renderer: base), plan: softPlan, margin: 17)
        XCTAssertGreaterThan(hard.ratio, 2 * soft.ratio, "hard \(hard.ratio) soft \(soft.ratio)")
        XCTAssertLessThan(clean.ratio, 1.3, "agreeing tiles leave no seam: \(clean.ratio)")
        XCTAssertGreaterThan(clean.ratio, 0.7)
    }

    func testMisuseIsReportedClearly() throws {
        let plan = try TilePlanner(sourceWidth: 32, sourceHeight: 32, targetWidth: 128, targetHeight: 64, tileSize: 64, padding: 8, feather: 8).plan()
        let blender = FeatherBlender(plan: plan) { _, _ in }
        let tile = plan.tiles[0]
        XCTAssertThrowsError(try blender.add(tile: 0, image: RGBAImage(width: 3, height: 3))) { error in
            XCTAssertEqual("\(error)", "invalid tile 0 image: 3×3 does not match its context \(tile.context.width)×\(tile.context.height)")
        }
        XCTAssertThrowsError(try blender.add(tile: 99, image: RGBAImage(width: 3, height: 3))) { error in
            XCTAssertEqual("\(error)", "invalid tile index: 99 is not in a plan of 2 tiles")
        }
        let image = RGBAImage(width: tile.context.width, height: tile.context.height)
        try blender.add(tile: 0, image: image)
        XCTAssertThrowsError(try blender.add(tile: 0, image: image)) { error in
            XCTAssertEqual("\(error)", "tile 0 was added twice")
        }
        XCTAssertThrowsError(try blender.finish()) { error in
            XCTAssertEqual("\(error)", "blending incomplete: 0 of 64 rows emitted, missing tiles 1")
        }
    }

    func testASinkFailureStopsTheBlender() throws {
        struct Full: Error {}
        let plan = try TilePlanner(sourceWidth: 32, sourceHeight: 32, targetWidth: 64, targetHeight: 64, tileSize: 64, padding: 8, feather: 8).plan()
        let blender = FeatherBlender(plan: plan) { _, _ in throw Full() }
        XCTAssertThrowsError(try blender.add(tile: 0, image: RGBAImage(width: 64, height: 64)))
        XCTAssertThrowsError(try blender.finish())
    }
}

/// Small deterministic generator so shuffles are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
