import Foundation
import TesseraImaging
import XCTest

/// `Resampler.resize` reproduces Pillow's `Image.resize` (references generated once by
/// tiles/scripts/make_resample_references.py and committed).
final class ResamplerPillowParityTests: XCTestCase {
    private struct Case: Decodable {
        let input: String
        let filter: String
        let width: Int
        let height: Int
        let output: String
    }

    private struct Listing: Decodable {
        let pillow: String
        let cases: [Case]
        let horizontal_first_cases: [Case]
    }

    private func listing() throws -> Listing {
        let data = try Data(contentsOf: FixturePaths.resample.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode(Listing.self, from: data)
    }

    private func cases() throws -> [Case] { try listing().cases }

    private func image(_ file: String) throws -> RGBAImage {
        try PNGImage.read(path: FixturePaths.resample.appendingPathComponent(file).path).rgba8
    }

    func testEveryReferenceCaseMatchesPillowWithinOneLevel() throws {
        let all = try cases()
        XCTAssertGreaterThanOrEqual(all.count, 15)
        var exact = 0
        for entry in all {
            let filter = try XCTUnwrap(ResampleFilter(rawValue: entry.filter), entry.filter)
            let result = try Resampler.resize(try image(entry.input), width: entry.width, height: entry.height, filter: filter)
            let expected = try image(entry.output)
            XCTAssertEqual(result.width, expected.width, entry.output)
            XCTAssertEqual(result.height, expected.height, entry.output)
            let difference = maximumDifference(result, expected)
            XCTAssertLessThanOrEqual(difference, 1, entry.output)
            if difference == 0 { exact += 1 }
        }
        // Same arithmetic as Pillow, so in practice every case is bit-identical.
        XCTAssertEqual(exact, all.count, "cases that are not bit-identical to Pillow")
    }

    func testHorizontalFirstOrderReproducesOlderPillowsLikeA1111s() throws {
        let legacy = try listing().horizontal_first_cases
        XCTAssertEqual(legacy.count, 2)
        for entry in legacy {
            let source = try image(entry.input)
            let old = try Resampler.resize(source, width: entry.width, height: entry.height, filter: .lanczos, passOrder: .horizontalFirst)
            XCTAssertEqual(old, try image(entry.output), entry.output)
            // The two orders really differ for these shapes, so the option matters.
            let new = try Resampler.resize(source, width: entry.width, height: entry.height, filter: .lanczos)
            XCTAssertNotEqual(old, new, entry.output)
        }
    }

    func testLanczosIsCoveredForUpscalesDownscalesAndNonIntegerFactors() throws {
        let lanczos = try cases().filter { $0.filter == "lanczos" }
        XCTAssertTrue(lanczos.contains { $0.width == 175 && $0.height == 131 })  // 1.37×
        XCTAssertTrue(lanczos.contains { $0.width == 40 && $0.height == 29 })    // 0.31×
        XCTAssertTrue(lanczos.contains { $0.input.contains("alpha") })
    }

    func testSameSizeWithoutABoxIsAnExactCopy() throws {
        let source = try image("coffee_alpha.png")
        XCTAssertEqual(try Resampler.resize(source, width: source.width, height: source.height), source)
    }

    func testARegionIsBitIdenticalToCroppingTheFullResize() throws {
        let source = try image("astronaut.png")
        for filter in ResampleFilter.allCases {
            // (200, 30) shrinks the height far more than the width: the vertical pass runs first.
            for (width, height) in [(301, 227), (50, 37), (128, 200), (200, 30)] {
                let full = try Resampler.resize(source, width: width, height: height, filter: filter)
                for region in [PixelRect(x: 0, y: 0, width: 17, height: 9), PixelRect(x: width - 23, y: height / 3, width: 23, height: 11),
                               PixelRect(x: width / 2, y: height - 5, width: width / 2, height: 5)] {
                    let part = try Resampler.resizeRegion(source, width: width, height: height, region: region, filter: filter)
                    XCTAssertEqual(part, try full.cropped(to: region), "\(filter) \(width)×\(height) \(region)")
                }
            }
        }
    }

    func testInvalidSizesAndBoxesAreRefused() throws {
        let source = RGBAImage(width: 4, height: 4)
        XCTAssertThrowsError(try Resampler.resize(source, width: 0, height: 3)) { error in
            XCTAssertEqual("\(error)", "invalid resize target: 0×3 must be positive")
        }
        XCTAssertThrowsError(try Resampler.resize(source, width: 3, height: 3, box: SourceBox(x0: 0, y0: 0, x1: 5, y1: 4)))
    }
}
