import Foundation

/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
/// 0xFFFFFFFF — the iSCSI/ext4 checksum. `CRC32C.checksum("123456789")` is 0xE3069283.
///
/// Chosen for payloads because it is fully specified by a few lines in docs/protocol.md and has
/// hardware support in most languages' standard libraries.
public enum CRC32C {
    /// Slicing-by-8 tables: table k maps a byte that is k positions further ahead.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[i] = crc
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// The CRC-32C of `data`.
    public static func checksum(_ data: some ContiguousBytes) -> UInt32 {
        data.withUnsafeBytes { checksum($0) }
    }

    /// The CRC-32C of a string's UTF-8 bytes.
    public static func checksum(_ text: String) -> UInt32 {
        checksum(Array(text.utf8))
    }

    /// Continues a checksum: `update(checksum(a), b) == checksum(a + b)`.
    public static func update(_ previous: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = ~previous
        var index = 0
        let count = bytes.count
        tables.withUnsafeBufferPointer { t in
            while count - index >= 8 {
                let lo = bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian ^ crc
                let hi = bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self).littleEndian
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                index += 8
            }
            while index < count {
                crc = (crc >> 8) ^ t[Int((crc ^ UInt32(bytes[index])) & 0xFF)]
                index += 1
            }
        }
        return ~crc
    }
}
