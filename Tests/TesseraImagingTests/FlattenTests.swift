import TesseraImaging
import XCTest

/// `flattened(onto:)` matches A1111's flatten (Pillow alpha_composite) bit for bit.
final class FlattenTests: XCTestCase {
    func testFlatteningMatchesPillowsAlphaComposite() throws {
        let source = try PNGImage.read(path: FixturePaths.resample.appendingPathComponent("coffee_alpha.png").path).rgba8
        XCTAssertFalse(source.isOpaque)
        let flatten = FixturePaths.imaging.appendingPathComponent("flatten")
        let white = try PNGImage.read(path: flatten.appendingPathComponent("coffee_alpha_on_ffffff.png").path).rgba8
        XCTAssertEqual(source.flattened(), white)
        let orange = try PNGImage.read(path: flatten.appendingPathComponent("coffee_alpha_on_ff8000.png").path).rgba8
        XCTAssertEqual(source.flattened(onto: (255, 128, 0)), orange)
    }

    func testOpaqueImagesAreUnchanged() throws {
        let photo = try FixturePaths.sample("chelsea")
        XCTAssertEqual(photo.flattened(onto: (1, 2, 3)), photo)
    }
}
