import Foundation

/// The byte layout of one payload frame (docs/protocol.md §5):
///
///     role u8 | encoding u8 | format u8 | reserved u8 (0) | width u32 | height u32 |
///     raw_length u32 | crc32c u32 | data
///
/// `crc32c` covers the raw (decompressed) bytes, so it also catches a bad decompression.
enum PayloadFrame {
    static let headerSize = 20
    static let encodingRaw: UInt8 = 0
    static let encodingLZ4: UInt8 = 1

    static func encode(_ payload: Payload, compression: PayloadCompression, limits: WireLimits, field: String) throws(WireError) -> Data {
        try validateShape(role: payload.role, format: payload.format, width: payload.width, height: payload.height, rawLength: payload.bytes.count, field: field)
        guard payload.bytes.count <= limits.maxPayloadBytes else {
            throw WireError.tooLarge(what: "\(field) size", size: payload.bytes.count, limit: limits.maxPayloadBytes)
        }
        var encoding = encodingRaw
        var body = payload.bytes
        if compression == .lz4, !payload.bytes.isEmpty {
            let compressed = try LZ4Block.compress(payload.bytes)
            if compressed.count < payload.bytes.count {
                encoding = encodingLZ4
                body = compressed
            }
        }
        var writer = ByteWriter(command: field)
        writer.u8(payload.role.rawValue)
        writer.u8(encoding)
        writer.u8(payload.format.rawValue)
        writer.u8(0)
        writer.u32(UInt32(payload.width))
        writer.u32(UInt32(payload.height))
        writer.u32(UInt32(payload.bytes.count))
        writer.u32(payload.checksum)
        var frame = Data(writer.bytes)
        frame.append(body)
        return frame
    }

    /// The raw_length field of a frame, if the frame is long enough to have one.
    static func declaredRawLength(_ frame: Data) -> Int? {
        guard frame.count >= headerSize else { return nil }
        let bytes = [UInt8](frame[frame.startIndex + 12..<frame.startIndex + 16])
        return Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    }

    static func decode(_ frame: Data, limits: WireLimits, field: String) throws(WireError) -> Payload {
        var reader = ByteReader(Array(frame.prefix(headerSize)), offset: 0, command: field)
        let roleByte = try reader.u8("role")
        let encoding = try reader.u8("encoding")
        let formatByte = try reader.u8("format")
        let reserved = try reader.u8("reserved")
        let width = try reader.u32("width")
        let height = try reader.u32("height")
        let rawLength = Int(try reader.u32("raw_length"))
        let expected = try reader.u32("crc32c")

        guard let role = PayloadRole(rawValue: roleByte) else { throw reader.invalid("role", "unknown payload role \(roleByte)") }
        guard let format = PayloadFormat(rawValue: formatByte) else { throw reader.invalid("format", "unknown payload format \(formatByte)") }
        guard reserved == 0 else { throw reader.invalid("reserved", "must be 0, got \(reserved)") }
        guard rawLength <= limits.maxPayloadBytes else {
            throw WireError.tooLarge(what: "\(field).raw_length", size: rawLength, limit: limits.maxPayloadBytes)
        }
        try validateShape(role: role, format: format, width: Int(width), height: Int(height), rawLength: rawLength, field: field)

        let body = frame.dropFirst(headerSize)
        let bytes: Data
        switch encoding {
        case encodingRaw:
            guard body.count == rawLength else {
                throw reader.invalid("data", "raw payload has \(body.count) bytes but raw_length says \(rawLength)")
            }
            bytes = Data(body)
        case encodingLZ4:
            guard body.count <= LZ4Block.compressBound(rawLength) else {
                throw reader.invalid("data", "LZ4 block of \(body.count) bytes is larger than LZ4 could produce for \(rawLength) bytes")
            }
            bytes = try LZ4Block.decompress(Data(body), decompressedSize: rawLength, limit: limits.maxPayloadBytes, field: "\(field).data")
        default:
            throw reader.invalid("encoding", "unknown encoding \(encoding) (0 = raw, 1 = LZ4 block)")
        }
        let actual = CRC32C.checksum(bytes)
        guard actual == expected else { throw WireError.checksumMismatch(field: field, expected: expected, actual: actual) }
        return Payload(role: role, format: format, width: Int(width), height: Int(height), bytes: bytes)
    }

    /// Opaque payloads have no dimensions; image payloads have exactly w*h*bpp bytes.
    private static func validateShape(role: PayloadRole, format: PayloadFormat, width: Int, height: Int, rawLength: Int, field: String) throws(WireError) {
        if format == .opaque {
            guard width == 0, height == 0 else {
                throw WireError.invalidField(field: "\(field).width", reason: "opaque payloads must have width and height 0, got \(width)x\(height)")
            }
            return
        }
        guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
            throw WireError.invalidField(field: "\(field).width", reason: "image payload needs positive width and height, got \(width)x\(height)")
        }
        let (pixels, overflow1) = width.multipliedReportingOverflow(by: height)
        let (expected, overflow2) = pixels.multipliedReportingOverflow(by: format.bytesPerPixel)
        guard !overflow1, !overflow2, expected == rawLength else {
            throw WireError.invalidField(field: "\(field).raw_length", reason: "\(width)x\(height) \(format) needs \(overflow1 || overflow2 ? "too many" : String(expected)) bytes, got \(rawLength)")
        }
    }
}
