import Foundation
import TesseraWire
import XCTest

final class CRC32CTests: XCTestCase {
    func testCheckValueOfTheStandardString() {
        XCTAssertEqual(CRC32C.checksum("123456789"), 0xE306_9283)
    }

    func testEmptyInputHasChecksumZero() {
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    // RFC 3720 (iSCSI) appendix B.4 test patterns.
    func testRFC3720Vectors() {
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
    }

    func testSlicedPathAgreesWithBytewiseDefinitionOnOddLengths() {
        var generator = SplitMix64(seed: 7)
        for length in [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            XCTAssertEqual(CRC32C.checksum(bytes), bitwiseCRC32C(bytes), "length \(length)")
        }
    }

    func testUpdateContinuesAChecksum() {
        let a = Array("hello, ".utf8), b = Array("tessera".utf8)
        let continued = b.withUnsafeBytes { CRC32C.update(CRC32C.checksum(a), $0) }
        XCTAssertEqual(continued, CRC32C.checksum(a + b))
    }

    /// The textbook bit-at-a-time definition from docs/protocol.md §5.3.
    private func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
