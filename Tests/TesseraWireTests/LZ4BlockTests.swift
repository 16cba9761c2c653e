import Foundation
import TesseraWire
import XCTest

final class LZ4BlockTests: XCTestCase {
    func testCompressedBlockDecompressesToTheOriginalBytes() throws {
        let original = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 / 7) })
        let compressed = try LZ4Block.compress(original)
        XCTAssertLessThan(compressed.count, original.count)
        let restored = try LZ4Block.decompress(compressed, decompressedSize: original.count, limit: 1 << 20)
        XCTAssertEqual(restored, original)
    }

    func testEmptyInputRoundTrips() throws {
        let compressed = try LZ4Block.compress(Data())
        XCTAssertEqual(try LZ4Block.decompress(compressed, decompressedSize: 0, limit: 10), Data())
    }

    func testDeclaredSizeAboveTheLimitIsRefusedBeforeDecompressing() throws {
        let compressed = try LZ4Block.compress(Data(count: 100_000))
        XCTAssertThrowsError(try LZ4Block.decompress(compressed, decompressedSize: 100_000, limit: 65_536)) { error in
            guard case WireError.tooLarge(_, 100_000, 65_536) = error else { return XCTFail("\(error)") }
        }
    }

    func testDeclaredSizeLZ4CannotReachFromTheInputIsRefusedAsABomb() {
        // 10 bytes can never expand to 64 MiB; refuse without allocating.
        XCTAssertThrowsError(try LZ4Block.decompress(Data(count: 10), decompressedSize: 64 << 20, limit: 64 << 20)) { error in
            guard case WireError.invalidField = error else { return XCTFail("\(error)") }
        }
    }

    func testWrongDeclaredSizeIsReportedAsCorrupt() throws {
        let original = Data(repeating: 0x41, count: 1000)
        let compressed = try LZ4Block.compress(original)
        for size in [999, 1001] {
            XCTAssertThrowsError(try LZ4Block.decompress(compressed, decompressedSize: size, limit: 1 << 20)) { error in
                XCTAssertEqual(error as? WireError, .decompressionFailed(field: "payload"), "declared \(size)")
            }
        }
    }

    func testGarbageInputIsReportedAsCorruptNotCrash() {
        var generator = SplitMix64(seed: 99)
        for _ in 0..<500 {
            let garbage = Data((0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let size = Int.random(in: 1...4096, using: &generator)
            do {
                let out = try LZ4Block.decompress(garbage, decompressedSize: size, limit: 1 << 20)
                XCTAssertEqual(out.count, size)
            } catch {
                XCTAssertNotEqual(error.description, "")
            }
        }
    }
}
