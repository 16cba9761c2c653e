import Foundation
import TesseraImaging
import XCTest

/// Broken files are refused with one error naming the file and the reason, never a
/// crash or a partial image.
final class PNGCorruptFileTests: XCTestCase {
    private func error(reading file: String) -> ImagingError? {
        let path = FixturePaths.pngSuite.appendingPathComponent(file).path
        do {
            let image = try PNGImage.read(path: path)
            XCTFail("\(file) decoded to a \(image.width)×\(image.height) image instead of failing")
            return nil
        } catch let error as ImagingError {
            XCTAssertTrue(error.description.contains(path), "\(file): message does not name the file: \(error)")
            return error
        } catch {
            XCTFail("\(file): unexpected error type \(error)")
            return nil
        }
    }

    func testEveryCorruptSuiteFileIsRefusedWithItsReason() {
        // File → words the reason must contain (PngSuite's own description in the comment).
        let expectations: [(String, [String])] = [
            ("xs1n0g01.png", ["not a PNG file", "bad signature"]),  // signature byte 1 MSBit reset
            ("xs2n0g01.png", ["not a PNG file", "bad signature"]),  // signature byte 2 is a 'Q'
            ("xs4n0g01.png", ["not a PNG file", "bad signature"]),  // signature byte 4 lowercase
            ("xs7n0g01.png", ["not a PNG file", "bad signature"]),  // 7th byte a space instead of ctrl-Z
            ("xcrn0g04.png", ["not a PNG file", "bad signature", "line endings"]),  // added cr bytes
            ("xlfn0g04.png", ["not a PNG file", "bad signature", "line endings"]),  // added lf bytes
            ("xhdn0g08.png", ["corrupt PNG", "CRC"]),               // incorrect IHDR checksum
            ("xcsn0g01.png", ["corrupt PNG", "CRC"]),               // incorrect IDAT checksum
            ("xc1n0g08.png", ["corrupt PNG", "color type"]),        // color type 1
            ("xc9n2c08.png", ["corrupt PNG", "color type"]),        // color type 9
            ("xd0n2c08.png", ["corrupt PNG", "bit depth"]),         // bit-depth 0
            ("xd3n2c08.png", ["corrupt PNG", "bit depth"]),         // bit-depth 3
            ("xd9n2c08.png", ["corrupt PNG", "bit depth"]),         // bit-depth 99
            ("xdtn0g01.png", ["corrupt PNG", "IDAT"]),              // missing IDAT chunk
        ]
        for (file, words) in expectations {
            guard let error = error(reading: file) else { continue }
            for word in words {
                XCTAssertTrue(error.description.localizedCaseInsensitiveContains(word), "\(file): \"\(error)\" lacks \"\(word)\"")
            }
        }
    }

    func testEveryFileNamedXInTheSuiteIsCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: FixturePaths.pngSuite.path)
            .filter { $0.hasPrefix("x") && $0.hasSuffix(".png") }
        XCTAssertEqual(names.count, 14)
        for name in names { _ = error(reading: name) }
    }

    func testEveryTruncationOfAValidFileIsRefusedAsTruncated() throws {
        let path = FixturePaths.pngSuite.appendingPathComponent("basn2c08.png").path
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for length in stride(from: 8, to: bytes.count, by: 7) {
            XCTAssertThrowsError(try PNGImage.read(data: Array(bytes[0..<length]), name: "cut.png")) { error in
                guard let error = error as? ImagingError else { return XCTFail("wrong error type") }
                if case .truncated = error {} else if case .corrupt = error {} else {
                    XCTFail("length \(length): \(error)")
                }
                XCTAssertTrue(error.description.hasPrefix("cut.png: "), error.description)
            }
        }
        XCTAssertThrowsError(try PNGImage.read(data: Array(bytes[0..<(bytes.count / 2)]), name: "half.png")) { error in
            XCTAssertEqual((error as? ImagingError)?.description, "half.png: truncated PNG: unexpected end of file")
        }
    }

    func testAFileShorterThanTheSignatureIsNotAPNG() {
        XCTAssertThrowsError(try PNGImage.read(data: [0x89, 0x50], name: "tiny.png")) { error in
            XCTAssertEqual((error as? ImagingError)?.description, "tiny.png: not a PNG file: bad signature: file is only 2 bytes long")
        }
    }

    func testAMissingFileIsReportedWithItsPath() {
        XCTAssertThrowsError(try PNGImage.read(path: "/nonexistent/dir/missing.png")) { error in
            XCTAssertEqual((error as? ImagingError)?.description, "/nonexistent/dir/missing.png: cannot open: No such file or directory")
        }
    }

    func testFlippedBitsInsideImageDataAreCaughtByTheCRC() throws {
        let path = FixturePaths.pngSuite.appendingPathComponent("basn2c08.png").path
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 40] ^= 0x10
        XCTAssertThrowsError(try PNGImage.read(data: bytes, name: "flipped.png")) { error in
            XCTAssertTrue("\(error)".hasPrefix("flipped.png: corrupt PNG: "), "\(error)")
        }
    }
}
