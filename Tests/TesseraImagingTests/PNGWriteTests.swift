import Foundation
import TesseraImaging
import XCTest

/// Writing 8/16-bit RGB(A) PNGs, streaming by row bands, and A1111 `parameters` text.
final class PNGWriteTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try FixturePaths.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func gradient(width: Int, height: Int) -> RGBAImage {
        var image = RGBAImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image.setPixel(x: x, y: y, (UInt8((x * 7 + y) & 255), UInt8((y * 5) & 255), UInt8((x ^ y) & 255), UInt8((x + 3 * y) & 255)))
            }
        }
        return image
    }

    func testEightBitRGBAImagesRoundTripExactly() throws {
        let image = gradient(width: 37, height: 23)
        try image.writePNG(to: path("a.png"), format: .rgba8)
        let read = try PNGImage.read(path: path("a.png"))
        XCTAssertEqual(read.sourceBitDepth, 8)
        XCTAssertEqual(read.sourceColorType, .rgba)
        XCTAssertEqual(read.rgba8, image)
    }

    func testRGBFilesDropAlphaAndReadBackOpaque() throws {
        let image = gradient(width: 19, height: 11)
        try image.writePNG(to: path("rgb.png"), format: .rgb8)
        let read = try PNGImage.read(path: path("rgb.png"))
        XCTAssertEqual(read.sourceColorType, .rgb)
        var expected = image
        for index in stride(from: 3, to: expected.pixels.count, by: 4) { expected.pixels[index] = 255 }
        XCTAssertEqual(read.rgba8, expected)
    }

    func testSixteenBitImagesKeepEverySample() throws {
        var samples = [UInt16](repeating: 0, count: 13 * 9 * 4)
        for index in samples.indices { samples[index] = UInt16((index * 2_654_435_761) & 0xFFFF) }
        let image = try RGBA16Image(width: 13, height: 9, samples: samples)
        try image.writePNG(to: path("16.png"), format: .rgba16)
        let read = try PNGImage.read(path: path("16.png"))
        XCTAssertEqual(read.sourceBitDepth, 16)
        XCTAssertEqual(read.rgba16, image)

        try image.writePNG(to: path("16rgb.png"), format: .rgb16)
        let rgb = try PNGImage.read(path: path("16rgb.png")).rgba16
        for index in samples.indices {
            XCTAssertEqual(rgb.samples[index], index % 4 == 3 ? 65535 : samples[index])
        }
    }

    func testEightBitRowsWrittenToASixteenBitFileAreWidenedBy257() throws {
        let image = gradient(width: 5, height: 4)
        try image.writePNG(to: path("wide.png"), format: .rgba16)
        XCTAssertEqual(try PNGImage.read(path: path("wide.png")).rgba16, image.widenedTo16Bit)
    }

    func testAStreamingWriterAcceptsUnevenBandsAndProducesTheSameFile() throws {
        let image = gradient(width: 64, height: 50)
        let writer = try PNGWriter(path: path("bands.png"), width: 64, height: 50, format: .rgba8)
        var row = 0
        for band in [1, 7, 0, 20, 22] {
            try writer.write(rows: image.cropped(to: PixelRect(x: 0, y: row, width: 64, height: band)))
            row += band
        }
        XCTAssertEqual(writer.rowsWritten, 50)
        try writer.finish()
        XCTAssertEqual(try PNGImage.read(path: path("bands.png")).rgba8, image)
    }

    func testWritingTooManyRowsOrFinishingEarlyFailsClearly() throws {
        let writer = try PNGWriter(path: path("short.png"), width: 4, height: 3)
        try writer.write(rows: RGBAImage(width: 4, height: 2))
        XCTAssertThrowsError(try writer.write(rows: RGBAImage(width: 4, height: 2))) { error in
            XCTAssertEqual("\(error)", "invalid row band: 2 rows but only 1 of 3 remain")
        }
        XCTAssertThrowsError(try writer.write(rows: RGBAImage(width: 5, height: 1))) { error in
            XCTAssertEqual("\(error)", "invalid row band: width 5 differs from the PNG width 4")
        }
        XCTAssertThrowsError(try writer.finish()) { error in
            XCTAssertTrue("\(error)".contains("only 2 of 3 rows were written"), "\(error)")
        }
    }

    func testAnAbandonedWriterLeavesNoPartialFile() throws {
        do {
            let writer = try PNGWriter(path: path("partial.png"), width: 8, height: 8)
            try writer.write(rows: RGBAImage(width: 8, height: 3))
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("partial.png")))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("partial.png")))
    }

    func testAnUnwritableDestinationNamesThePath() {
        XCTAssertThrowsError(try PNGWriter(path: "/nonexistent/dir/out.png", width: 2, height: 2)) { error in
            XCTAssertEqual("\(error)", "/nonexistent/dir/out.png: cannot create: No such file or directory")
        }
    }

    func testParametersAreWrittenAsTEXtAndReadBack() throws {
        let infotext = "a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 8x8"
        try RGBAImage(width: 8, height: 8).writePNG(to: path("p.png"), format: .rgb8, textChunks: [.parameters(infotext)])
        let read = try PNGImage.read(path: path("p.png"))
        XCTAssertEqual(read.parameters, infotext)
        XCTAssertEqual(read.textChunks.first?.kind, .tEXt)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("p.png")))
        XCTAssertNotNil(bytes.range(of: Data("tEXtparameters\0a cat".utf8)))
    }

    func testNonLatin1ParametersAreStoredAsITXtLikePillow() throws {
        let infotext = "café ☕ 東京\nSteps: 20"
        try RGBAImage(width: 2, height: 2).writePNG(to: path("u.png"), textChunks: [.parameters(infotext)])
        let read = try PNGImage.read(path: path("u.png"))
        XCTAssertEqual(read.parameters, infotext)
        XCTAssertEqual(read.textChunks.first?.kind, .iTXt)
    }

    func testParametersWrittenByPillowAreReadFromTEXtITXtAndZTXt() throws {
        let expected = "a lighthouse at dusk, (oil painting:1.2)\nNegative prompt: blurry\n"
            + "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 16x8, Model: v1-5-pruned-emaonly"
        let text = FixturePaths.imaging.appendingPathComponent("text")
        let plain = try PNGImage.read(path: text.appendingPathComponent("a1111_parameters.png").path)
        XCTAssertEqual(plain.parameters, expected)
        let international = try PNGImage.read(path: text.appendingPathComponent("a1111_parameters_itxt.png").path)
        XCTAssertEqual(international.parameters, "café ☕ 東京\nSteps: 20")
        let compressed = try PNGImage.read(path: text.appendingPathComponent("a1111_parameters_ztxt.png").path)
        XCTAssertEqual(compressed.parameters, expected)
        XCTAssertEqual(compressed.textChunks.map(\.kind), [.zTXt, .tEXt])
        XCTAssertEqual(compressed.textChunks.text(forKeyword: "Comment"), "second chunk")
    }

    func testInvalidKeywordsAreRefusedBeforeAnythingIsWritten() {
        XCTAssertThrowsError(try PNGWriter(path: path("k.png"), width: 1, height: 1,
                                           textChunks: [PNGTextChunk(keyword: "", text: "x")])) { error in
            XCTAssertTrue("\(error)".contains("keyword"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("k.png")))
    }
}
