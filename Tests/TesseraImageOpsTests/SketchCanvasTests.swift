import TesseraImageOps
import TesseraImaging
import XCTest

/// `--sketch`: colour strokes laid over the init image as A1111's canvas does.
final class SketchCanvasTests: XCTestCase {
    private let image = RGBAImage(width: 4, height: 2, fill: (10, 20, 30, 255))

    func testStrokesWithTransparencyAreDrawnOverTheImageAndClearPixelsKeepIt() throws {
        var strokes = RGBAImage(width: 4, height: 2, fill: (0, 0, 0, 0))
        strokes.setPixel(x: 1, y: 0, (250, 0, 0, 255))
        strokes.setPixel(x: 2, y: 1, (250, 0, 0, 128))
        let canvas = try SketchCanvas.canvas(strokes: strokes, over: image)
        XCTAssertTrue(canvas.pixel(x: 1, y: 0) == (250, 0, 0, 255))
        XCTAssertTrue(canvas.pixel(x: 0, y: 0) == (10, 20, 30, 255))
        // Half-covered: Pillow alpha_composite, (250·128 + 10·127) / 255 ≈ 130.
        let half = canvas.pixel(x: 2, y: 1)
        XCTAssertEqual([Int(half.r), Int(half.g), Int(half.a)], [130, 10, 255])
    }

    func testAnOpaqueSketchIsTheWholeCanvasAndAWrongSizeIsRefused() throws {
        let drawn = RGBAImage(width: 4, height: 2, fill: (1, 2, 3, 255))
        XCTAssertEqual(try SketchCanvas.canvas(strokes: drawn, over: image), drawn)
        XCTAssertThrowsError(try SketchCanvas.canvas(strokes: RGBAImage(width: 3, height: 2), over: image)) {
            XCTAssertTrue("\($0)".contains("sketch"), "\($0)")
        }
    }
}
