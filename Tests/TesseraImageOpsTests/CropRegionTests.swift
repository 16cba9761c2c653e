import TesseraImageOps
import TesseraImaging
import XCTest

final class CropRegionTests: XCTestCase {
    private func mask(width: Int, height: Int, rect: PixelRect) -> GreyImage {
        var mask = GreyImage(width: width, height: height)
        for y in rect.y..<rect.maxY { for x in rect.x..<rect.maxX { mask[x, y] = 255 } }
        return mask
    }

    func testCropRegionIsTheMaskBoundingBoxGrownByThePadding() throws {
        let m = mask(width: 512, height: 512, rect: PixelRect(x: 100, y: 200, width: 50, height: 20))
        XCTAssertEqual(try CropRegion.around(m, padding: 32), CropRegion(x1: 68, y1: 168, x2: 182, y2: 252))
        XCTAssertEqual(try CropRegion.around(m, padding: 0), CropRegion(x1: 100, y1: 200, x2: 150, y2: 220))
    }

    func testCropRegionIsClippedToTheImage() throws {
        let m = mask(width: 64, height: 64, rect: PixelRect(x: 2, y: 60, width: 5, height: 4))
        XCTAssertEqual(try CropRegion.around(m, padding: 10), CropRegion(x1: 0, y1: 50, x2: 17, y2: 64))
    }

    func testAllBlackMaskHasNoCropRegion() throws {
        XCTAssertNil(try CropRegion.around(GreyImage(width: 8, height: 8), padding: 4))
    }

    func testExpandGrowsTheShortSideToTheRenderAspect() {
        // 114x84 box, 512x512 render: width wins, want_h = 114, diff = 30 → 15 up, 15 down.
        let box = CropRegion(x1: 68, y1: 168, x2: 182, y2: 252)
        XCTAssertEqual(box.expanded(toAspectOf: 512, 512, imageWidth: 512, imageHeight: 512),
                       CropRegion(x1: 68, y1: 153, x2: 182, y2: 267))
        // A tall box against a wide render grows in x: 20x40 box, 2:1 → want_w 80, diff 60.
        let tall = CropRegion(x1: 100, y1: 10, x2: 120, y2: 50)
        XCTAssertEqual(tall.expanded(toAspectOf: 1024, 512, imageWidth: 512, imageHeight: 512),
                       CropRegion(x1: 70, y1: 10, x2: 150, y2: 50))
    }

    func testExpandShiftsTheBoxBackInsideTheImage() {
        // Near the bottom: y2 would pass the image height, so the box moves up.
        let box = CropRegion(x1: 0, y1: 500, x2: 100, y2: 512)
        XCTAssertEqual(box.expanded(toAspectOf: 512, 512, imageWidth: 512, imageHeight: 512),
                       CropRegion(x1: 0, y1: 412, x2: 100, y2: 512))
        // When the image is too small the box is clipped and ends off-aspect.
        let wide = CropRegion(x1: 0, y1: 0, x2: 100, y2: 10)
        XCTAssertEqual(wide.expanded(toAspectOf: 512, 512, imageWidth: 100, imageHeight: 40),
                       CropRegion(x1: 0, y1: 0, x2: 100, y2: 40))
    }

    func testExpandToAtLeastTheRenderSizeCentresAndClips() {
        let box = CropRegion(x1: 100, y1: 100, x2: 132, y2: 116)
        XCTAssertEqual(box.expandedToAtLeast(width: 64, height: 64, imageWidth: 512, imageHeight: 512),
                       CropRegion(x1: 84, y1: 76, x2: 148, y2: 140))
        let corner = CropRegion(x1: 0, y1: 0, x2: 10, y2: 10)
        XCTAssertEqual(corner.expandedToAtLeast(width: 64, height: 64, imageWidth: 40, imageHeight: 512),
                       CropRegion(x1: 0, y1: 0, x2: 40, y2: 64))
    }
}
