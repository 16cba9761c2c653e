import CPNGShim

/// Writes a PNG file band by band, so an output of any height never has to sit in
/// memory whole. Rows are given as RGBA (8- or 16-bit) and converted to the file's
/// `format` (alpha dropped for RGB, samples widened ×257 or narrowed to the high byte).
///
/// If the writer is released before `finish()` succeeded, the partial file is deleted.
public final class PNGWriter {
    public let path: String
    public let width: Int
    public let height: Int
    public let format: PNGPixelFormat
    /// Rows written so far.
    public private(set) var rowsWritten = 0
    private var handle: OpaquePointer?
    private var finished = false

    /// Creates the file. `textChunks` (e.g. `[.parameters(infotext)]`) are written before the image data.
    /// `compressionLevel` is zlib's 0...9 (6 is Pillow's default).
    public init(path: String, width: Int, height: Int, format: PNGPixelFormat = .rgb8,
                textChunks: [PNGTextChunk] = [], compressionLevel: Int = 6) throws {
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw ImagingError.invalidArgument(argument: "PNG size", problem: "\(width)×\(height) for \(path)")
        }
        guard (0...9).contains(compressionLevel) else {
            throw ImagingError.invalidArgument(argument: "compression level", problem: "\(compressionLevel) is not in 0...9")
        }
        for chunk in textChunks {
            try chunk.validateKeyword()
            if chunk.kind != .iTXt, PNGTextChunk.latin1Bytes(of: chunk.text) == nil {
                throw ImagingError.invalidArgument(
                    argument: "PNG text \"\(chunk.keyword)\"", problem: "is not Latin-1; store it as iTXt")
            }
            if chunk.text.utf8.contains(0) {
                throw ImagingError.invalidArgument(argument: "PNG text \"\(chunk.keyword)\"", problem: "contains a NUL character")
            }
        }
        self.path = path
        self.width = width
        self.height = height
        self.format = format
        var status: Int32 = 0
        handle = tessera_png_writer_open_file(path, UInt32(width), UInt32(height),
                                              Int32(format.channels), Int32(format.bitDepth),
                                              Int32(compressionLevel), &status)
        guard let handle else { throw ImagingError.io(path: path, reason: "out of memory") }
        try check(status)
        for chunk in textChunks {
            let bytes: [UInt8] = chunk.kind == .iTXt ? Array(chunk.text.utf8) : PNGTextChunk.latin1Bytes(of: chunk.text)!
            // Keywords are Latin-1 in every chunk type (validated above).
            let keyword = PNGTextChunk.latin1Bytes(of: chunk.keyword)!.map { CChar(bitPattern: $0) } + [0]
            let text = bytes.map { CChar(bitPattern: $0) } + [0]
            let status = tessera_png_writer_add_text(handle, keyword, text, bytes.count, chunk.kind == .iTXt ? 1 : 0)
            try check(status)
        }
    }

    deinit {
        tessera_png_writer_close(handle)
    }

    private func check(_ status: Int32) throws {
        guard status == TESSERA_PNG_OK else {
            let message = String(cString: tessera_png_writer_message(handle))
            if Int(status) == Int(TESSERA_PNG_ERR_OPEN) { throw ImagingError.cannotOpen(path: path, reason: message) }
            if Int(status) == Int(TESSERA_PNG_ERR_USAGE) { throw ImagingError.misuse("\(path): \(message)") }
            throw ImagingError.io(path: path, reason: message)
        }
    }

    private func checkBand(width bandWidth: Int, height bandHeight: Int) throws {
        guard !finished else { throw ImagingError.misuse("\(path): rows written after finish()") }
        guard bandWidth == width else {
            throw ImagingError.invalidArgument(argument: "row band", problem: "width \(bandWidth) differs from the PNG width \(width)")
        }
        guard bandHeight <= height - rowsWritten else {
            throw ImagingError.invalidArgument(
                argument: "row band", problem: "\(bandHeight) rows but only \(height - rowsWritten) of \(height) remain")
        }
    }

    /// Appends the rows of an 8-bit band (its width must equal the PNG width).
    public func write(rows band: RGBAImage) throws {
        try checkBand(width: band.width, height: band.height)
        try band.pixels.withUnsafeBufferPointer { try write(rgba8: $0, rowCount: band.height) }
    }

    /// Appends the rows of a 16-bit band (its width must equal the PNG width).
    public func write(rows band: RGBA16Image) throws {
        try checkBand(width: band.width, height: band.height)
        try band.samples.withUnsafeBufferPointer { try write(rgba16: $0, rowCount: band.height) }
    }

    /// Appends `rowCount` rows of 8-bit RGBA samples (`rowCount × width × 4` values).
    public func write(rgba8 samples: UnsafeBufferPointer<UInt8>, rowCount: Int) throws {
        try checkBand(width: width, height: rowCount)
        guard samples.count >= rowCount * width * 4 else {
            throw ImagingError.invalidArgument(argument: "row samples", problem: "\(samples.count) samples for \(rowCount) rows")
        }
        let pixelsPerRow = width
        // Convert a few rows at a time so conversion buffers stay small.
        let chunkRows = max(1, min(rowCount, (1 << 20) / max(1, pixelsPerRow)))
        var row = 0
        while row < rowCount {
            let count = min(chunkRows, rowCount - row)
            let pixels = count * pixelsPerRow
            let source = UnsafeBufferPointer(rebasing: samples[(row * pixelsPerRow * 4)..<((row + count) * pixelsPerRow * 4)])
            switch format {
            case .rgba8:
                try writeRaw(UnsafeRawBufferPointer(source), rows: count)
            case .rgb8:
                var out = [UInt8](repeating: 0, count: pixels * 3)
                for pixel in 0..<pixels {
                    out[pixel * 3] = source[pixel * 4]
                    out[pixel * 3 + 1] = source[pixel * 4 + 1]
                    out[pixel * 3 + 2] = source[pixel * 4 + 2]
                }
                try out.withUnsafeBytes { try writeRaw($0, rows: count) }
            case .rgba16, .rgb16:
                let channels = format.channels
                var out = [UInt16](repeating: 0, count: pixels * channels)
                for pixel in 0..<pixels {
                    for channel in 0..<channels { out[pixel * channels + channel] = UInt16(source[pixel * 4 + channel]) &* 257 }
                }
                try out.withUnsafeBytes { try writeRaw($0, rows: count) }
            }
            row += count
        }
    }

    /// Appends `rowCount` rows of 16-bit RGBA samples (`rowCount × width × 4` values).
    public func write(rgba16 samples: UnsafeBufferPointer<UInt16>, rowCount: Int) throws {
        try checkBand(width: width, height: rowCount)
        guard samples.count >= rowCount * width * 4 else {
            throw ImagingError.invalidArgument(argument: "row samples", problem: "\(samples.count) samples for \(rowCount) rows")
        }
        let chunkRows = max(1, min(rowCount, (1 << 20) / max(1, width)))
        var row = 0
        while row < rowCount {
            let count = min(chunkRows, rowCount - row)
            let pixels = count * width
            let source = UnsafeBufferPointer(rebasing: samples[(row * width * 4)..<((row + count) * width * 4)])
            switch format {
            case .rgba16:
                try writeRaw(UnsafeRawBufferPointer(source), rows: count)
            case .rgb16:
                var out = [UInt16](repeating: 0, count: pixels * 3)
                for pixel in 0..<pixels {
                    for channel in 0..<3 { out[pixel * 3 + channel] = source[pixel * 4 + channel] }
                }
                try out.withUnsafeBytes { try writeRaw($0, rows: count) }
            case .rgb8, .rgba8:
                let channels = format.channels
                var out = [UInt8](repeating: 0, count: pixels * channels)
                for pixel in 0..<pixels {
                    for channel in 0..<channels { out[pixel * channels + channel] = UInt8(source[pixel * 4 + channel] >> 8) }
                }
                try out.withUnsafeBytes { try writeRaw($0, rows: count) }
            }
            row += count
        }
    }

    private func writeRaw(_ bytes: UnsafeRawBufferPointer, rows: Int) throws {
        let status = tessera_png_writer_write_rows(handle, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(rows))
        try check(status)
        rowsWritten += rows
    }

    /// Writes the end of the file and closes it; fails if rows are missing.
    public func finish() throws {
        guard !finished else { return }
        guard rowsWritten == height else {
            throw ImagingError.misuse("\(path): only \(rowsWritten) of \(height) rows were written")
        }
        try check(tessera_png_writer_finish(handle))
        finished = true
    }
}

extension RGBAImage {
    /// Writes the whole image as a PNG file (`.rgb8` drops alpha).
    public func writePNG(to path: String, format: PNGPixelFormat = .rgba8, textChunks: [PNGTextChunk] = [],
                         compressionLevel: Int = 6) throws {
        let writer = try PNGWriter(path: path, width: width, height: height, format: format,
                                   textChunks: textChunks, compressionLevel: compressionLevel)
        try writer.write(rows: self)
        try writer.finish()
    }
}

extension RGBA16Image {
    /// Writes the whole image as a PNG file (`.rgb16` drops alpha; 8-bit formats keep the high byte).
    public func writePNG(to path: String, format: PNGPixelFormat = .rgba16, textChunks: [PNGTextChunk] = [],
                         compressionLevel: Int = 6) throws {
        let writer = try PNGWriter(path: path, width: width, height: height, format: format,
                                   textChunks: textChunks, compressionLevel: compressionLevel)
        try writer.write(rows: self)
        try writer.finish()
    }
}
