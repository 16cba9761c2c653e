import Foundation
import TesseraImaging
import XCTest

/// Geometry of `TilePlanner`: cores partition the output, overlaps feather, contexts fit.
final class TilePlannerTests: XCTestCase {
    private let sizes: [(Int, Int, Int)] = [  // width, height, tile size
        (1000, 700, 256), (512, 512, 512), (100, 60, 512), (513, 1025, 128), (1024, 1024, 512), (777, 333, 64),
    ]

    private func plans() throws -> [TilePlan] {
        var plans: [TilePlan] = []
        for (width, height, tile) in sizes {
            for order in TileOrder.allCases {
                plans.append(try TilePlanner(sourceWidth: width / 2, sourceHeight: height / 2, targetWidth: width, targetHeight: height,
                                             tileSize: tile, padding: 32, feather: 32, order: order).plan())
            }
        }
        return plans
    }

    func testCoresPartitionTheOutputExactly() throws {
        for plan in try plans() {
            var owners = [Int](repeating: 0, count: plan.targetWidth * plan.targetHeight)
            for tile in plan.tiles {
                XCTAssertLessThanOrEqual(tile.core.width, plan.tileSize)
                XCTAssertLessThanOrEqual(tile.core.height, plan.tileSize)
                for y in tile.core.y..<tile.core.maxY {
                    for x in tile.core.x..<tile.core.maxX { owners[y * plan.targetWidth + x] += 1 }
                }
            }
            XCTAssertTrue(owners.allSatisfy { $0 == 1 }, "\(plan.targetWidth)×\(plan.targetHeight) tile \(plan.tileSize)")
            XCTAssertEqual(plan.columns, (plan.targetWidth + plan.tileSize - 1) / plan.tileSize)
            XCTAssertEqual(plan.rows, (plan.targetHeight + plan.tileSize - 1) / plan.tileSize)
            XCTAssertEqual(plan.tiles.count, plan.rows * plan.columns)
        }
    }

    func testNeighboursOverlapByTheFeatherWidthAndContextsHoldPadding() throws {
        for plan in try plans() {
            for tile in plan.tiles {
                let half = plan.feather / 2
                let expected = PixelRect(
                    x: tile.column > 0 ? tile.core.x - half : tile.core.x,
                    y: tile.row > 0 ? tile.core.y - half : tile.core.y,
                    width: 0, height: 0)
                XCTAssertEqual(tile.blendRegion.x, expected.x)
                XCTAssertEqual(tile.blendRegion.y, expected.y)
                XCTAssertEqual(tile.blendRegion.maxX, tile.column < plan.columns - 1 ? tile.core.maxX + half : plan.targetWidth)
                XCTAssertEqual(tile.blendRegion.maxY, tile.row < plan.rows - 1 ? tile.core.maxY + half : plan.targetHeight)
                XCTAssertTrue(plan.targetBounds.contains(tile.context))
                XCTAssertTrue(tile.context.contains(tile.blendRegion))
                // At least `padding` pixels around the core wherever the image allows it.
                let padded = PixelRect(x: tile.core.x - plan.padding, y: tile.core.y - plan.padding,
                                       width: tile.core.width + 2 * plan.padding, height: tile.core.height + 2 * plan.padding)
                XCTAssertTrue(tile.context.contains(padded.intersection(plan.targetBounds)), "\(tile.context) vs \(padded)")
                XCTAssertEqual(tile.context.width, min(plan.tileSize + 2 * plan.padding, plan.targetWidth))
                XCTAssertEqual(tile.context.height, min(plan.tileSize + 2 * plan.padding, plan.targetHeight))
            }
        }
    }

    func testWeightsArePositiveInsideBlendRegionsAndSumToOneEverywhere() throws {
        let one = Int64(TilePlan.weightOne) * Int64(TilePlan.weightOne)
        for plan in try plans() where plan.tiles.count > 1 {
            for y in stride(from: 0, to: plan.targetHeight, by: 3) {
                for x in stride(from: 0, to: plan.targetWidth, by: 5) {
                    let weights = plan.tiles.map { $0.weight(x: x, y: y) }
                    let total = weights.reduce(0, +)
                    // Rounding of each axis weight costs at most a couple of units of 2^30.
                    XCTAssertLessThanOrEqual(abs(total - one), 2 * Int64(TilePlan.weightOne) + 4, "(\(x), \(y))")
                    for (tile, weight) in zip(plan.tiles, weights) {
                        XCTAssertEqual(weight > 0, tile.blendRegion.contains(x: x, y: y))
                    }
                }
            }
        }
    }

    func testWeightsRampSmoothlyAcrossAnOverlap() throws {
        let plan = try TilePlanner(sourceWidth: 128, sourceHeight: 64, targetWidth: 256, targetHeight: 128,
                                   tileSize: 128, padding: 16, feather: 16).plan()
        let left = try XCTUnwrap(plan.tile(row: 0, column: 0))
        let right = try XCTUnwrap(plan.tile(row: 0, column: 1))
        let overlap = (right.blendRegion.x)..<(left.blendRegion.maxX)
        XCTAssertEqual(overlap.count, 16)
        var previous = Int64.max
        for x in overlap {
            let weight = left.weight(x: x, y: 10)
            XCTAssertLessThan(weight, previous, "left weight must fall across the overlap")
            previous = weight
        }
        XCTAssertEqual(left.weight(x: overlap.lowerBound - 1, y: 10), Int64(TilePlan.weightOne) * Int64(TilePlan.weightOne))
    }

    func testLinearOrderIsRowMajorAndChessOrderDoesEvenSquaresFirst() throws {
        let linear = try TilePlanner(sourceWidth: 100, sourceHeight: 100, targetWidth: 300, targetHeight: 200, tileSize: 64).plan()
        XCTAssertEqual(linear.tiles.map { $0.row * linear.columns + $0.column }, Array(0..<linear.tiles.count))
        let chess = try TilePlanner(sourceWidth: 100, sourceHeight: 100, targetWidth: 300, targetHeight: 200, tileSize: 64, order: .chess).plan()
        let parities = chess.tiles.map { ($0.row + $0.column) % 2 }
        let firstOdd = try XCTUnwrap(parities.firstIndex(of: 1))
        XCTAssertTrue(parities[..<firstOdd].allSatisfy { $0 == 0 })
        XCTAssertTrue(parities[firstOdd...].allSatisfy { $0 == 1 })
        XCTAssertEqual(Set(chess.tiles.map(\.core)), Set(linear.tiles.map(\.core)))
        XCTAssertEqual(chess.tiles.map(\.index), Array(0..<chess.tiles.count))
    }

    func testAnImageSmallerThanATileIsOneTileCoveringEverything() throws {
        let plan = try TilePlanner(sourceWidth: 50, sourceHeight: 30, targetWidth: 100, targetHeight: 60).plan()
        XCTAssertEqual(plan.tiles.count, 1)
        let tile = plan.tiles[0]
        XCTAssertEqual(tile.core, plan.targetBounds)
        XCTAssertEqual(tile.blendRegion, plan.targetBounds)
        XCTAssertEqual(tile.context, plan.targetBounds)
        XCTAssertEqual(tile.sourceContext, PixelRect(x: 0, y: 0, width: 50, height: 30))
    }

    func testSourceCoordinatesFollowTheScale() throws {
        let plan = try TilePlanner(sourceWidth: 300, sourceHeight: 200, scale: 2.5, tileSize: 128).plan()
        XCTAssertEqual(plan.targetWidth, 750)
        XCTAssertEqual(plan.targetHeight, 500)
        for tile in plan.tiles {
            XCTAssertEqual(tile.sourceBox.x0, Double(tile.context.x) / 2.5, accuracy: 1e-9)
            XCTAssertEqual(tile.sourceBox.y1, Double(tile.context.maxY) / 2.5, accuracy: 1e-9)
            XCTAssertLessThanOrEqual(Double(tile.sourceContext.x), tile.sourceBox.x0)
            XCTAssertGreaterThanOrEqual(Double(tile.sourceContext.maxX), tile.sourceBox.x1)
            XCTAssertTrue(PixelRect(x: 0, y: 0, width: 300, height: 200).contains(tile.sourceContext))
        }
    }

    func testUltimateUpscaleTargetSizesRoundUpToMultiplesOf64() {
        let size = TilePlanner.ultimateUpscaleTargetSize(sourceWidth: 451, sourceHeight: 300, scale: 2)
        XCTAssertEqual(size.width, 960)   // ⌈902/64⌉·64
        XCTAssertEqual(size.height, 640)  // ⌈600/64⌉·64
        let exact = TilePlanner.ultimateUpscaleTargetSize(sourceWidth: 512, sourceHeight: 256, scale: 2)
        XCTAssertEqual(exact.width, 1024)
        XCTAssertEqual(exact.height, 512)
    }

    func testPlansAreDeterministicAndSurviveJSON() throws {
        let planner = TilePlanner(sourceWidth: 640, sourceHeight: 480, scale: 1.7, tileSize: 256, order: .chess)
        let plan = try planner.plan()
        XCTAssertEqual(plan, try planner.plan())
        let decoded = try JSONDecoder().decode(TilePlan.self, from: JSONEncoder().encode(plan))
        XCTAssertEqual(decoded, plan)
    }

    func testInvalidSettingsAreRefusedWithTheirName() {
        let cases: [(TilePlanner, String)] = [
            (TilePlanner(sourceWidth: 10, sourceHeight: 10, targetWidth: 20, targetHeight: 20, tileSize: 100), "invalid tile size: 100 must be a positive multiple of 8"),
            (TilePlanner(sourceWidth: 10, sourceHeight: 10, targetWidth: 20, targetHeight: 20, padding: -1, feather: 0), "invalid padding: -1 must not be negative"),
            (TilePlanner(sourceWidth: 10, sourceHeight: 10, targetWidth: 20, targetHeight: 20, padding: 8, feather: 32), "invalid feather: 32 exceeds twice the padding (8); the overlap must lie inside the rendered context"),
            (TilePlanner(sourceWidth: 10, sourceHeight: 10, targetWidth: 20, targetHeight: 20, feather: 7), "invalid feather: 7 must be an even number ≥ 0"),
            (TilePlanner(sourceWidth: 0, sourceHeight: 10, targetWidth: 20, targetHeight: 20), "invalid source size: 0×10 must be positive"),
        ]
        for (planner, message) in cases {
            XCTAssertThrowsError(try planner.plan()) { error in XCTAssertEqual("\(error)", message) }
        }
    }
}
