/// Reads little-endian fields from a header frame, bounds-checking every read; errors name the
/// field as `COMMAND.field`.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let command: String

    init(_ bytes: [UInt8], offset: Int, command: String) {
        self.bytes = bytes
        self.offset = offset
        self.command = command
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw WireError.truncated(field: "\(command).\(field)") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ field: String) throws(WireError) -> T {
        let slice = try take(MemoryLayout<T>.size, field)
        var value: T = 0
        for (shift, byte) in slice.enumerated() { value |= T(byte) << (8 * shift) }
        return value
    }

    mutating func u8(_ field: String) throws(WireError) -> UInt8 { try integer(UInt8.self, field) }
    mutating func u16(_ field: String) throws(WireError) -> UInt16 { try integer(UInt16.self, field) }
    mutating func u32(_ field: String) throws(WireError) -> UInt32 { try integer(UInt32.self, field) }
    mutating func u64(_ field: String) throws(WireError) -> UInt64 { try integer(UInt64.self, field) }

    /// A byte that must be 0 or 1.
    mutating func bool(_ field: String) throws(WireError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw WireError.invalidField(field: "\(command).\(field)", reason: "boolean must be 0 or 1, got \(other)")
        }
    }

    mutating func bytes(_ count: Int, _ field: String) throws(WireError) -> [UInt8] {
        Array(try take(count, field))
    }

    private mutating func utf8(_ count: Int, _ field: String) throws(WireError) -> String {
        let slice = try take(count, field)
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw WireError.invalidField(field: "\(command).\(field)", reason: "not valid UTF-8")
        }
        return text
    }

    mutating func str8(_ field: String) throws(WireError) -> String { try utf8(Int(try u8(field)), field) }
    mutating func str16(_ field: String) throws(WireError) -> String { try utf8(Int(try u16(field)), field) }
    mutating func str32(_ field: String) throws(WireError) -> String { try utf8(Int(try u32(field)), field) }

    /// A u8 or u16 element count, checked against the bytes left so a hostile count cannot make
    /// the decoder reserve memory for elements that are not there.
    mutating func count(_ width: Int, _ field: String, minElementSize: Int) throws(WireError) -> Int {
        let count = width == 1 ? Int(try u8(field)) : Int(try u16(field))
        guard count * minElementSize <= remaining else { throw WireError.truncated(field: "\(command).\(field)") }
        return count
    }

    /// Throws unless every byte was consumed.
    func finish() throws(WireError) {
        if remaining != 0 { throw WireError.trailingBytes(command: command, count: remaining) }
    }

    func invalid(_ field: String, _ reason: String) -> WireError {
        WireError.invalidField(field: "\(command).\(field)", reason: reason)
    }
}
