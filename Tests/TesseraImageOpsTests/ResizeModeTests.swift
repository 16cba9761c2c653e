import TesseraImageOps
import TesseraImaging
import XCTest

final class ResizeModeTests: XCTestCase {
    func testJustResizeStretchesToTheTarget() {
        let plan = ResizeMode.justResize.plan(sourceWidth: 300, sourceHeight: 200, width: 512, height: 512)
        XCTAssertEqual(plan, ResizePlan(resizedWidth: 512, resizedHeight: 512, offsetX: 0, offsetY: 0, bars: .none))
    }

    func testCropAndResizeCoversTheTargetAndCentresTheOverhang() {
        // 300x200 into 512x512: sh = 512, sw = 300·512 // 200 = 768, pasted at 256 − 384 = −128.
        let plan = ResizeMode.cropAndResize.plan(sourceWidth: 300, sourceHeight: 200, width: 512, height: 512)
        XCTAssertEqual(plan, ResizePlan(resizedWidth: 768, resizedHeight: 512, offsetX: -128, offsetY: 0, bars: .none))
        // A wide target crops top and bottom: 512x256 from 300x200 → 512x341 at y = 128 − 170 = −42.
        let wide = ResizeMode.cropAndResize.plan(sourceWidth: 300, sourceHeight: 200, width: 512, height: 256)
        XCTAssertEqual(wide, ResizePlan(resizedWidth: 512, resizedHeight: 341, offsetX: 0, offsetY: -42, bars: .none))
    }

    func testResizeAndFillFitsInsideAndStretchesTheEdgesIntoBars() {
        // 300x200 into 512x512: sw = 512, sh = 200·512 // 300 = 341, bars of 256 − 170 = 86 rows.
        let plan = ResizeMode.resizeAndFill.plan(sourceWidth: 300, sourceHeight: 200, width: 512, height: 512)
        XCTAssertEqual(plan, ResizePlan(resizedWidth: 512, resizedHeight: 341, offsetX: 0, offsetY: 86, bars: .topAndBottom(size: 86)))
        let tall = ResizeMode.resizeAndFill.plan(sourceWidth: 200, sourceHeight: 300, width: 512, height: 512)
        XCTAssertEqual(tall, ResizePlan(resizedWidth: 341, resizedHeight: 512, offsetX: 86, offsetY: 0, bars: .leftAndRight(size: 86)))
        let sameAspect = ResizeMode.resizeAndFill.plan(sourceWidth: 256, sourceHeight: 256, width: 512, height: 512)
        XCTAssertEqual(sameAspect.bars, .none)
    }

    func testLatentUpscaleResizesLikeFillAndHalvesToLatentSize() {
        XCTAssertEqual(ResizeMode.latentUpscale.plan(sourceWidth: 300, sourceHeight: 200, width: 512, height: 512),
                       ResizeMode.resizeAndFill.plan(sourceWidth: 300, sourceHeight: 200, width: 512, height: 512))
        XCTAssertTrue(ResizeMode.latentSize(width: 517, height: 300) == (64, 37))
    }

    func testEveryModeMatchesPillowReferenceExactly() throws {
        let source = try Fixtures.image("resize_source.png")
        for (mode, width, height) in [(0, 50, 30), (1, 40, 40), (1, 60, 20), (2, 40, 40), (2, 30, 60), (2, 60, 20)] {
            let expected = try Fixtures.image("resize_mode\(mode)_\(width)x\(height).png")
            let actual = try ResizeMode(a1111Value: mode).resize(source, width: width, height: height)
            XCTAssertEqual(actual.width, width)
            XCTAssertEqual(actual.height, height)
            let diff = difference(actual, expected)
            XCTAssertEqual(diff.maximum, 0, "mode \(mode) \(width)x\(height): \(diff.count) samples differ")
        }
    }

    func testFillBarsRepeatTheEdgeDownEachColumn() throws {
        let source = noiseImage(width: 40, height: 20, seed: 7)
        let out = try ResizeMode.resizeAndFill.resize(source, width: 40, height: 40)
        // Rows 0…9 are the stretched first-row mix: every bar row is identical.
        for y in 1..<10 {
            for x in 0..<40 { XCTAssertTrue(out.pixel(x: x, y: y) == out.pixel(x: x, y: 0), "row \(y) column \(x)") }
        }
        // The image itself is pasted unchanged (same size) between the bars.
        XCTAssertTrue(out.pixel(x: 5, y: 10) == source.pixel(x: 5, y: 0))
    }

    func testUnknownModeNamesTheField() {
        XCTAssertThrowsError(try ResizeMode(a1111Value: 7)) { error in
            XCTAssertTrue("\(error)".hasPrefix("resize_mode: 7 is not one of"), "\(error)")
        }
    }
}
