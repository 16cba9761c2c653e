import Foundation
import TesseraImaging
import XCTest

/// Every valid PngSuite image decodes to the RGBA values of the suite's JSON references
/// (gamma is not applied: the references hold the stored values).
final class PNGSuiteReadTests: XCTestCase {
    private func reference(_ name: String) throws -> [Int] {
        let url = FixturePaths.pngSuiteJSON.appendingPathComponent("\(name).json")
        let values = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [Int]
        return try XCTUnwrap(values, "\(name).json is not an array of integers")
    }

    private var validFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FixturePaths.pngSuite.path)) ?? []
        return names.filter { $0.hasSuffix(".png") && !$0.hasPrefix("x") }.sorted()
    }

    func testTheSuiteIsPresent() {
        XCTAssertGreaterThan(validFiles.count, 150)
    }

    func testEveryValidFileMatchesItsEightBitReference() throws {
        for file in validFiles {
            let name = String(file.dropLast(4))
            let image = try PNGImage.read(path: FixturePaths.pngSuite.appendingPathComponent(file).path)
            let rgba = image.rgba8
            let is16 = image.sourceBitDepth == 16
            let narrowedReference = FixturePaths.pngSuiteJSON.appendingPathComponent("\(name)_to8.json")
            // Four 16-bit files have no 8-bit reference; their high bytes are the 8-bit values.
            let expected = !is16 ? try reference(name)
                : FileManager.default.fileExists(atPath: narrowedReference.path) ? try reference("\(name)_to8")
                : try reference(name).map { $0 >> 8 }
            XCTAssertEqual(expected.count, rgba.width * rgba.height * 4, "\(file): size")
            guard expected.count == rgba.pixels.count else { continue }
            var worst = 0
            for index in expected.indices {
                worst = max(worst, abs(expected[index] - Int(rgba.pixels[index])))
            }
            if is16 && image.sourceColorType == .grayscale {
                // The suite's grey 16→8 references round to nearest, its colour and grey+alpha ones
                // keep the high byte; we keep the high byte everywhere (Pillow's choice), so plain
                // grey may differ by 1.
                XCTAssertLessThanOrEqual(worst, 1, "\(file)")
            } else {
                XCTAssertEqual(worst, 0, "\(file)")
            }
        }
    }

    func testSixteenBitFilesKeepAllSixteenBits() throws {
        var checked = 0
        for file in validFiles {
            let name = String(file.dropLast(4))
            let image = try PNGImage.read(path: FixturePaths.pngSuite.appendingPathComponent(file).path)
            guard image.sourceBitDepth == 16 else { continue }
            guard case let .sixteen(samples) = image.samples else {
                XCTFail("\(file): 16-bit file decoded to 8 bits")
                continue
            }
            let expected = try reference(name)
            XCTAssertEqual(samples.map(Int.init), expected, "\(file)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testHeaderFactsAreReported() throws {
        let interlaced = try PNGImage.read(path: FixturePaths.pngSuite.appendingPathComponent("basi3p02.png").path)
        XCTAssertTrue(interlaced.isInterlaced)
        XCTAssertEqual(interlaced.sourceColorType, .palette)
        XCTAssertEqual(interlaced.sourceBitDepth, 2)
        let transparent = try PNGImage.read(path: FixturePaths.pngSuite.appendingPathComponent("tbbn3p08.png").path)
        XCTAssertTrue(transparent.hasTransparency)
        XCTAssertFalse(transparent.rgba8.isOpaque)
    }

    func testFloatAccessIsNormalisedFromTheFilePrecision() throws {
        let image = try PNGImage.read(path: FixturePaths.pngSuite.appendingPathComponent("basn6a16.png").path)
        guard case let .sixteen(samples) = image.samples else { return XCTFail("expected 16-bit samples") }
        let floats = image.rgbaFloat
        XCTAssertEqual(floats.count, samples.count)
        for index in stride(from: 0, to: samples.count, by: 97) {
            XCTAssertEqual(floats[index], Float(samples[index]) / 65535, accuracy: 1e-7)
        }
    }
}
