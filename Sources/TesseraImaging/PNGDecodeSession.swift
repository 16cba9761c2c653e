import CPNGShim

/// Owns one shim reader handle and turns shim status codes into `ImagingError`s.
/// Shared by `PNGImage.read` (whole image) and `PNGRowReader` (bands of rows).
final class PNGDecodeSession {
    /// Refuse to allocate whole-image buffers beyond this many bytes.
    static let maximumImageBytes = 8 << 30

    let path: String
    private let handle: OpaquePointer?
    /// Keeps the bytes of a memory source alive for as long as libpng may read them.
    private let memory: UnsafeMutableBufferPointer<UInt8>?
    let info: tessera_png_info

    init(path: String) throws {
        self.path = path
        self.memory = nil
        var status: Int32 = 0
        handle = tessera_png_reader_open_file(path, &status)
        do {
            info = try PNGDecodeSession.checkOpen(handle: handle, status: status, path: path)
        } catch {
            // deinit does not run for an object whose init failed.
            tessera_png_reader_close(handle)
            throw error
        }
    }

    init(bytes: [UInt8], name: String) throws {
        self.path = name
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = copy.initialize(from: bytes)
        self.memory = copy
        var status: Int32 = 0
        handle = tessera_png_reader_open_memory(copy.baseAddress, bytes.count, &status)
        do {
            info = try PNGDecodeSession.checkOpen(handle: handle, status: status, path: name)
        } catch {
            tessera_png_reader_close(handle)
            copy.deallocate()
            throw error
        }
    }

    deinit {
        tessera_png_reader_close(handle)
        memory?.deallocate()
    }

    private static func checkOpen(handle: OpaquePointer?, status: Int32, path: String) throws -> tessera_png_info {
        guard let handle else { throw ImagingError.io(path: path, reason: "out of memory") }
        if status != TESSERA_PNG_OK {
            throw makeError(status: status, message: String(cString: tessera_png_reader_message(handle)), path: path)
        }
        var info = tessera_png_info()
        _ = tessera_png_reader_info(handle, &info)
        return info
    }

    static func makeError(status: Int32, message: String, path: String) -> ImagingError {
        switch Int(status) {
        case Int(TESSERA_PNG_ERR_OPEN): return .cannotOpen(path: path, reason: message)
        case Int(TESSERA_PNG_ERR_SIGNATURE): return .notPNG(path: path, reason: message)
        case Int(TESSERA_PNG_ERR_TRUNCATED): return .truncated(path: path, reason: message)
        case Int(TESSERA_PNG_ERR_IO): return .io(path: path, reason: message)
        case Int(TESSERA_PNG_ERR_USAGE): return .misuse("\(path): \(message)")
        case Int(TESSERA_PNG_ERR_MEMORY): return .io(path: path, reason: "out of memory")
        default: return .corrupt(path: path, reason: explained(message))
        }
    }

    /// libpng's terse messages for the commonest damage, followed by a plain explanation.
    private static let explanations: [(String, String)] = [
        ("CRC error", "chunk checksum mismatch, the file is damaged"),
        ("IEND: out of place", "missing IDAT chunk: the file ends before any image data"),
        ("incorrect data check", "the compressed image data is damaged (zlib checksum mismatch)"),
        ("invalid distance", "the compressed image data is damaged"),
        ("Not enough image data", "the compressed image data is too short"),
        ("Too much image data", "the compressed image data is longer than the image"),
    ]

    private static func explained(_ message: String) -> String {
        for (pattern, explanation) in explanations where message.contains(pattern) {
            return "\(message) (\(explanation))"
        }
        return message
    }

    private func check(_ status: Int32) throws {
        guard status == TESSERA_PNG_OK else {
            throw PNGDecodeSession.makeError(status: status, message: String(cString: tessera_png_reader_message(handle)), path: path)
        }
    }

    var width: Int { Int(info.width) }
    var height: Int { Int(info.height) }
    var is16Bit: Bool { info.output_bit_depth == 16 }
    var rowBytes: Int { Int(info.output_row_bytes) }
    var isInterlaced: Bool { info.interlaced != 0 }

    /// Reads the whole image into raw RGBA bytes (16-bit samples in host order).
    func readImageBytes() throws -> [UInt8] {
        let (total, overflow) = rowBytes.multipliedReportingOverflow(by: height)
        guard !overflow, total <= PNGDecodeSession.maximumImageBytes else {
            throw ImagingError.tooLarge(path: path, width: width, height: height)
        }
        var bytes = [UInt8](repeating: 0, count: max(total, 1))
        let status = bytes.withUnsafeMutableBufferPointer { tessera_png_reader_read_image(handle, $0.baseAddress) }
        try check(status)
        if total == 0 { bytes.removeAll() }
        return bytes
    }

    /// Reads the next `count` rows of a non-interlaced image.
    func readRowBytes(count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(rowBytes * count, 1))
        let status = bytes.withUnsafeMutableBufferPointer {
            tessera_png_reader_read_rows(handle, $0.baseAddress, UInt32(count))
        }
        try check(status)
        if count == 0 { bytes.removeAll() }
        return bytes
    }

    /// Reads the trailing chunks (verifying their CRCs) and returns every text chunk of the file.
    func finish() throws -> [PNGTextChunk] {
        try check(tessera_png_reader_finish(handle))
        return textChunks()
    }

    func textChunks() -> [PNGTextChunk] {
        let count = tessera_png_reader_text_count(handle)
        var chunks: [PNGTextChunk] = []
        for index in 0..<count {
            var key: UnsafePointer<CChar>?
            var text: UnsafePointer<CChar>?
            var length = 0
            var compression: Int32 = 0
            guard tessera_png_reader_text_at(handle, index, &key, &text, &length, &compression) == TESSERA_PNG_OK,
                  let key, let text else { continue }
            let keyword = PNGTextChunk.latin1String(
                UnsafeBufferPointer(start: UnsafeRawPointer(key).assumingMemoryBound(to: UInt8.self), count: strlenOf(key)))
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: length)
            let kind: PNGTextChunk.Kind
            let value: String
            switch compression {
            case -1:
                kind = .tEXt
                value = PNGTextChunk.latin1String(bytes)
            case 0:
                kind = .zTXt
                value = PNGTextChunk.latin1String(bytes)
            default:
                kind = .iTXt
                value = String(decoding: bytes, as: UTF8.self)
            }
            chunks.append(PNGTextChunk(keyword: keyword, text: value, kind: kind))
        }
        return chunks
    }
}

private func strlenOf(_ pointer: UnsafePointer<CChar>) -> Int {
    var length = 0
    while pointer[length] != 0 { length += 1 }
    return length
}

extension Array where Element == UInt8 {
    /// Reinterprets host-order 16-bit samples stored as bytes.
    func hostOrderUInt16() -> [UInt16] {
        let count = self.count / 2
        return [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
            self.withUnsafeBytes { raw in
                for index in 0..<count {
                    buffer[index] = raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
                }
            }
            initialized = count
        }
    }
}
