import Foundation
import TesseraImaging
import XCTest

/// Reading a PNG in row bands gives exactly the rows of a whole-image read.
final class PNGRowReaderTests: XCTestCase {
    private func bandsEqualWholeImage(_ file: String, bands: [Int]) throws {
        let path = FixturePaths.pngSuite.appendingPathComponent(file).path
        let whole = try PNGImage.read(path: path)
        let reader = try PNGRowReader(path: path)
        XCTAssertEqual(reader.width, whole.width)
        var row = 0
        for band in bands {
            let rows = try reader.readRows(band)
            XCTAssertEqual(rows, try whole.rgba8.cropped(to: PixelRect(x: 0, y: row, width: whole.width, height: band)), "\(file) rows \(row)..<\(row + band)")
            row += band
        }
        XCTAssertEqual(row, whole.height)
        XCTAssertEqual(try reader.finish(), whole.textChunks)
    }

    func testNonInterlacedFilesStreamInBands() throws {
        try bandsEqualWholeImage("basn2c08.png", bands: [5, 0, 20, 7])
        try bandsEqualWholeImage("basn6a16.png", bands: [32, 0])
        try bandsEqualWholeImage("ct1n0g04.png", bands: [1, 31])
    }

    func testInterlacedFilesAreServedInBandsToo() throws {
        try bandsEqualWholeImage("basi0g16.png", bands: [3, 29])
        try bandsEqualWholeImage("s39i3p04.png", bands: [10, 29])
    }

    func testSixteenBitBandsKeepAllBits() throws {
        let path = FixturePaths.pngSuite.appendingPathComponent("basn2c16.png").path
        let reader = try PNGRowReader(path: path)
        let top = try reader.readRows16(16)
        let bottom = try reader.readRows16(16)
        XCTAssertEqual(top.samples + bottom.samples, try PNGImage.read(path: path).rgba16.samples)
    }

    func testAskingForMoreRowsThanRemainFails() throws {
        let reader = try PNGRowReader(path: FixturePaths.pngSuite.appendingPathComponent("basn2c08.png").path)
        _ = try reader.readRows(30)
        XCTAssertThrowsError(try reader.readRows(3)) { error in
            XCTAssertTrue("\(error)".contains("3 rows requested, 2 remain"), "\(error)")
        }
    }

    func testCorruptionInALaterBandIsReportedWhenThatBandIsRead() throws {
        let path = FixturePaths.pngSuite.appendingPathComponent("xcsn0g01.png").path
        let reader = try PNGRowReader(path: path)
        XCTAssertThrowsError(try reader.readRows(reader.height)) { error in
            XCTAssertTrue("\(error)".contains("CRC"), "\(error)")
        }
    }
}
