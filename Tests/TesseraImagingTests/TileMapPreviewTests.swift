import XCTest
@testable import TesseraImaging

final class TileMapPreviewTests: XCTestCase {
    /// A deterministic picture with detail at every scale.
    private func pattern(width: Int, height: Int) -> RGBAImage {
        var image = RGBAImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image.setPixel(x: x, y: y, (UInt8((x * 7 + y) % 256), UInt8((x ^ y) % 256), UInt8((x * y) % 251), 255))
            }
        }
        return image
    }

    func testPreviewKeepsAspectAndFitsTheLongerSide() throws {
        let preview = try TileMapPreview(targetWidth: 16384, targetHeight: 4096, maxSide: 1024)
        XCTAssertEqual(preview.canvas.width, 1024)
        XCTAssertEqual(preview.canvas.height, 256)
        let small = try TileMapPreview(targetWidth: 300, targetHeight: 200, maxSide: 1024)
        XCTAssertEqual(small.canvas.width, 300, "a target smaller than maxSide is shown 1:1")
        XCTAssertEqual(small.canvas.height, 200)
    }

    func testPaintingAPartitionTileByTileEqualsPaintingTheWholeImage() throws {
        let image = pattern(width: 1000, height: 700)
        var whole = try TileMapPreview(targetWidth: 1000, targetHeight: 700, maxSide: 333)
        try whole.paint(image, covering: image.bounds, region: image.bounds)
        let plan = try TilePlanner(sourceWidth: 500, sourceHeight: 350, targetWidth: 1000, targetHeight: 700,
                                   tileSize: 256, padding: 16, feather: 16, order: .chess).plan()
        var tiled = try TileMapPreview(targetWidth: 1000, targetHeight: 700, maxSide: 333)
        for tile in plan.tiles.reversed() {
            let pixels = try image.cropped(to: tile.context)
            try tiled.paint(pixels, covering: tile.context, region: tile.core)
        }
        XCTAssertEqual(tiled.canvas, whole.canvas)
    }

    func testOnePixelPreviewOfAUniformImageHasItsColour() throws {
        let image = RGBAImage(width: 64, height: 64, fill: (200, 100, 50, 255))
        var preview = try TileMapPreview(targetWidth: 64, targetHeight: 64, maxSide: 1)
        try preview.paint(image, covering: image.bounds, region: image.bounds)
        XCTAssertTrue(preview.canvas.pixel(x: 0, y: 0) == (200, 100, 50, 255))
    }

    func testUnpaintedAreaStaysCheckerboardAndPaintedAreaChanges() throws {
        var preview = try TileMapPreview(targetWidth: 100, targetHeight: 100)
        let before = preview.canvas
        let red = RGBAImage(width: 50, height: 100, fill: (255, 0, 0, 255))
        try preview.paint(red, covering: PixelRect(x: 0, y: 0, width: 50, height: 100),
                          region: PixelRect(x: 0, y: 0, width: 50, height: 100))
        XCTAssertTrue(preview.canvas.pixel(x: 10, y: 10) == (255, 0, 0, 255))
        XCTAssertTrue(preview.canvas.pixel(x: 75, y: 10) == before.pixel(x: 75, y: 10))
    }

    func testRunningTilesGetAThickOutlineInTheirWorkersColourAndMarksDoNotTouchTheCanvas() throws {
        let preview = try TileMapPreview(targetWidth: 100, targetHeight: 100)
        let rect = PixelRect(x: 20, y: 20, width: 40, height: 40)
        let image = preview.rendered(marks: [TileMapPreview.Mark(rect: rect, state: .running, colour: 1)])
        let blue = TileMapPreview.palette[1]
        for inset in 0..<3 {
            XCTAssertTrue(image.pixel(x: 30, y: 20 + inset) == (blue.r, blue.g, blue.b, 255), "row \(inset) of the outline")
        }
        XCTAssertFalse(image.pixel(x: 30, y: 23) == (blue.r, blue.g, blue.b, 255), "the outline is 3 pixels thick")
        let thin = preview.rendered(marks: [TileMapPreview.Mark(rect: rect, state: .done, colour: 1)])
        XCTAssertFalse(thin.pixel(x: 30, y: 21) == (blue.r, blue.g, blue.b, 255), "finished tiles get a 1-pixel border")
        XCTAssertEqual(preview.canvas, try TileMapPreview(targetWidth: 100, targetHeight: 100).canvas)
    }

    func testATileImageOfTheWrongSizeIsRefused() throws {
        var preview = try TileMapPreview(targetWidth: 100, targetHeight: 100)
        XCTAssertThrowsError(try preview.paint(RGBAImage(width: 10, height: 10),
                                               covering: PixelRect(x: 0, y: 0, width: 20, height: 20),
                                               region: PixelRect(x: 0, y: 0, width: 20, height: 20)))
        XCTAssertThrowsError(try TileMapPreview(targetWidth: 0, targetHeight: 10))
    }
}
