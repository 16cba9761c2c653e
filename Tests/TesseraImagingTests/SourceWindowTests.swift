import XCTest
@testable import TesseraImaging

/// A source window resizes exactly like the whole source it was cut from, and refuses reads outside itself.
final class SourceWindowTests: XCTestCase {
    static func noise(width: Int, height: Int, seed: UInt32) -> RGBAImage {
        var state = seed
        let pixels: [UInt8] = (0..<(width * height * 4)).map { i in
            state = state &* 1_664_525 &+ 1_013_904_223
            // Some translucent pixels, so the premultiplied path is exercised too.
            return i % 4 == 3 && i % 28 != 3 ? 255 : UInt8(truncatingIfNeeded: state >> 24)
        }
        return try! RGBAImage(width: width, height: height, pixels: pixels)
    }

    func testEveryFilterRendersARegionFromItsWindowExactlyAsFromTheWholeSource() throws {
        let source = Self.noise(width: 83, height: 61, seed: 7)
        let cases: [(Int, Int)] = [(166, 122), (250, 190), (83, 61), (40, 30), (91, 200)]
        let regions = [PixelRect(x: 0, y: 0, width: 17, height: 13), PixelRect(x: 11, y: 7, width: 23, height: 19)]
        for filter in [ResampleFilter.lanczos, .bicubic, .bilinear, .nearest] {
            for (width, height) in cases {
                for region in regions + [PixelRect(x: width - 15, y: height - 12, width: 15, height: 12)] {
                    let rect = SourceWindow.rect(around: region, sourceWidth: 83, sourceHeight: 61,
                                                 targetWidth: width, targetHeight: height, margin: 2)
                    let window = try SourceWindow(cropping: source, to: rect)
                    XCTAssertFalse(window.isWhole)
                    let whole = try Resampler.resizeRegion(source, width: width, height: height, region: region, filter: filter)
                    let windowed = try Resampler.resizeRegion(window, width: width, height: height, region: region, filter: filter)
                    XCTAssertEqual(windowed, whole, "\(filter) to \(width)×\(height), region \(region), window \(rect)")
                }
            }
        }
    }

    func testAWindowTooSmallForTheFilterIsAnErrorNamingBothRectangles() throws {
        let source = Self.noise(width: 40, height: 40, seed: 3)
        let region = PixelRect(x: 20, y: 20, width: 10, height: 10)
        // Exactly the region mapped back (source 10…15), without the Lanczos support.
        let window = try SourceWindow(cropping: source, to: PixelRect(x: 10, y: 10, width: 5, height: 5))
        XCTAssertThrowsError(try Resampler.resizeRegion(window, width: 80, height: 80, region: region, filter: .lanczos)) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("source window") && text.contains("(10,10 5×5)"), text)
        }
        XCTAssertThrowsError(try window.cropped(to: PixelRect(x: 9, y: 10, width: 2, height: 2)))
        XCTAssertEqual(try window.cropped(to: PixelRect(x: 11, y: 12, width: 2, height: 2)),
                       try source.cropped(to: PixelRect(x: 11, y: 12, width: 2, height: 2)))
    }

    func testOnlyAWholeWindowServesJobsThatNeedTheWholeSource() throws {
        let source = Self.noise(width: 20, height: 10, seed: 1)
        XCTAssertEqual(try SourceWindow(whole: source).wholeImage(for: "a generation job"), source)
        let part = try SourceWindow(cropping: source, to: PixelRect(x: 0, y: 0, width: 20, height: 9))
        XCTAssertThrowsError(try part.wholeImage(for: "a generation job")) {
            XCTAssertTrue("\($0)".contains("a generation job needs the whole 20×10 source"), "\($0)")
        }
        XCTAssertThrowsError(try SourceWindow(pixels: source, rect: PixelRect(x: 5, y: 0, width: 20, height: 10),
                                              sourceWidth: 20, sourceHeight: 10), "a window must lie inside its source")
    }

    func testTheWindowAroundARegionStaysInsideTheSourceAndCoversADownscalesWiderSupport() {
        let rect = SourceWindow.rect(around: PixelRect(x: 0, y: 0, width: 64, height: 64), sourceWidth: 100, sourceHeight: 100,
                                     targetWidth: 200, targetHeight: 200, margin: 2)
        XCTAssertEqual(rect, PixelRect(x: 0, y: 0, width: 37, height: 37), "32 mapped back + 3 Lanczos + 2 margin")
        let down = SourceWindow.rect(around: PixelRect(x: 10, y: 10, width: 10, height: 10), sourceWidth: 400, sourceHeight: 400,
                                     targetWidth: 100, targetHeight: 100, margin: 0)
        XCTAssertEqual(down, PixelRect(x: 28, y: 28, width: 64, height: 64), "a 4× downscale reads 12 source pixels each side")
    }
}
