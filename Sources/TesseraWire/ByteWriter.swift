import Foundation

/// Appends little-endian fields to a header frame. Length-prefixed fields check their limits
/// and throw, so an encoder never emits a frame its own decoder would reject.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []
    let command: String

    init(command: String) { self.command = command }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// u8 length + UTF-8.
    mutating func str8(_ value: String, _ field: String) throws(WireError) {
        let utf8 = Array(value.utf8)
        guard utf8.count <= Int(UInt8.max) else { throw WireError.tooLarge(what: "\(command).\(field)", size: utf8.count, limit: Int(UInt8.max)) }
        u8(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// u16 length + UTF-8.
    mutating func str16(_ value: String, _ field: String) throws(WireError) {
        let utf8 = Array(value.utf8)
        guard utf8.count <= Int(UInt16.max) else { throw WireError.tooLarge(what: "\(command).\(field)", size: utf8.count, limit: Int(UInt16.max)) }
        u16(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// u16 length + UTF-8 for human-readable messages: text over 65,535 bytes is cut at a
    /// character boundary instead of failing, because error paths must always be reportable.
    mutating func message16(_ value: String) {
        var utf8 = Array(value.utf8)
        if utf8.count > Int(UInt16.max) {
            var end = Int(UInt16.max)
            // Back up over UTF-8 continuation bytes (10xxxxxx) so no character is split.
            while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
            utf8 = Array(utf8[0..<end])
        }
        u16(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// u32 length + UTF-8.
    mutating func str32(_ value: String, _ field: String) throws(WireError) {
        let utf8 = Array(value.utf8)
        guard utf8.count <= Int(UInt32.max) else { throw WireError.tooLarge(what: "\(command).\(field)", size: utf8.count, limit: Int(UInt32.max)) }
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// u8 count, for lists.
    mutating func count8(_ count: Int, _ field: String) throws(WireError) {
        guard count <= Int(UInt8.max) else { throw WireError.tooLarge(what: "\(command).\(field) count", size: count, limit: Int(UInt8.max)) }
        u8(UInt8(count))
    }

    /// u16 count, for lists.
    mutating func count16(_ count: Int, _ field: String) throws(WireError) {
        guard count <= Int(UInt16.max) else { throw WireError.tooLarge(what: "\(command).\(field) count", size: count, limit: Int(UInt16.max)) }
        u16(UInt16(count))
    }
}
