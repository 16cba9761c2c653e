/// Reads a PNG file in bands of rows, so a huge input never has to be decoded whole.
///
/// Non-interlaced files are decoded incrementally. Adam7-interlaced files cannot be
/// streamed (every pass touches every band), so they are decoded whole on the first
/// read and then served band by band.
public final class PNGRowReader {
    public let path: String
    public let width: Int
    public let height: Int
    public let sourceBitDepth: Int
    public let sourceColorType: PNGColorType
    public let isInterlaced: Bool
    public let hasTransparency: Bool
    /// Index of the next row `readRows` returns.
    public private(set) var nextRow = 0

    private let session: PNGDecodeSession
    private var interlacedBytes: [UInt8]?
    private var finished = false

    /// Opens the file and reads its header (signature and header errors are thrown here).
    public init(path: String) throws {
        session = try PNGDecodeSession(path: path)
        self.path = path
        width = session.width
        height = session.height
        sourceBitDepth = Int(session.info.source_bit_depth)
        sourceColorType = PNGColorType(rawValue: Int(session.info.source_color_type)) ?? .rgba
        isInterlaced = session.isInterlaced
        hasTransparency = session.info.has_transparency != 0
    }

    /// Text chunks that precede the image data (A1111 writes `parameters` there).
    public var leadingTextChunks: [PNGTextChunk] { session.textChunks() }

    private func nextBandBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= height - nextRow else {
            throw ImagingError.invalidArgument(
                argument: "row count", problem: "\(count) rows requested, \(height - nextRow) remain in \(path)")
        }
        let bytes: [UInt8]
        if isInterlaced {
            if interlacedBytes == nil { interlacedBytes = try session.readImageBytes() }
            let start = nextRow * session.rowBytes
            bytes = Array(interlacedBytes![start..<(start + count * session.rowBytes)])
        } else {
            bytes = try session.readRowBytes(count: count)
        }
        nextRow += count
        return bytes
    }

    /// The next `count` rows as 8-bit RGBA (16-bit files keep the high byte).
    public func readRows(_ count: Int) throws -> RGBAImage {
        let bytes = try nextBandBytes(count)
        if session.is16Bit {
            return RGBA16Image(uncheckedWidth: width, height: count, samples: bytes.hostOrderUInt16()).narrowedTo8Bit
        }
        return RGBAImage(uncheckedWidth: width, height: count, pixels: bytes)
    }

    /// The next `count` rows as 16-bit RGBA (8-bit files widened ×257).
    public func readRows16(_ count: Int) throws -> RGBA16Image {
        let bytes = try nextBandBytes(count)
        if session.is16Bit {
            return RGBA16Image(uncheckedWidth: width, height: count, samples: bytes.hostOrderUInt16())
        }
        return RGBAImage(uncheckedWidth: width, height: count, pixels: bytes).widenedTo16Bit
    }

    /// After the last row: verifies the rest of the file and returns all its text chunks.
    public func finish() throws -> [PNGTextChunk] {
        guard nextRow == height else {
            throw ImagingError.misuse("\(path): finish() called after \(nextRow) of \(height) rows")
        }
        if isInterlaced && interlacedBytes == nil { interlacedBytes = try session.readImageBytes() }
        interlacedBytes = nil
        if !finished {
            finished = true
            return try session.finish()
        }
        return session.textChunks()
    }
}
