import TesseraImaging
import XCTest

/// The plan picture used in tiles/README.md.
final class TilePlanDiagramTests: XCTestCase {
    func testTheDiagramTintsEachCoreWithItsTileAndOutlinesTheHighlightedTile() throws {
        let plan = try TilePlanner(sourceWidth: 100, sourceHeight: 80, targetWidth: 200, targetHeight: 160,
                                   tileSize: 64, padding: 16, feather: 16).plan()
        let highlighted = try XCTUnwrap(plan.tile(row: 1, column: 1))
        let diagram = try TilePlanDiagram.render(plan, highlightedTile: highlighted.index)
        XCTAssertEqual(diagram.width, 200)
        XCTAssertEqual(diagram.height, 160)
        // Core borders are dark, the highlighted context white, its blend region yellow.
        XCTAssertEqual(diagram.pixel(x: plan.tiles[1].core.x, y: 5).r, 20)
        let context = highlighted.context
        XCTAssertEqual(diagram.pixel(x: context.x, y: context.y + 20).r, 255)
        let blend = highlighted.blendRegion
        XCTAssertEqual(diagram.pixel(x: blend.x + 20, y: blend.y).b, 0)
        // Away from overlaps, neighbouring cores get different tints.
        let a = diagram.pixel(x: 10, y: 10), b = diagram.pixel(x: plan.tiles[1].core.x + 20, y: 10)
        XCTAssertNotEqual([a.r, a.g, a.b], [b.r, b.g, b.b])
    }

    func testABackgroundOfTheWrongSizeIsRefused() throws {
        let plan = try TilePlanner(sourceWidth: 10, sourceHeight: 10, targetWidth: 20, targetHeight: 20).plan()
        XCTAssertThrowsError(try TilePlanDiagram.render(plan, background: RGBAImage(width: 3, height: 3)))
    }
}
