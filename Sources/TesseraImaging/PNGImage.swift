/// A decoded PNG file: its pixels as RGBA at the file's precision (8 or 16 bits per
/// sample; palettes, low bit depths, grey and tRNS expanded, gamma NOT applied, like
/// Pillow/A1111), plus the header facts and every text chunk.
public struct PNGImage: Sendable {
    /// RGBA samples at the precision stored in the file.
    public enum Samples: Sendable, Equatable {
        case eight([UInt8])
        case sixteen([UInt16])
    }

    public let width: Int
    public let height: Int
    /// Bit depth from IHDR (1, 2, 4, 8 or 16).
    public let sourceBitDepth: Int
    public let sourceColorType: PNGColorType
    public let isInterlaced: Bool
    /// True when the file has an alpha channel or a tRNS chunk.
    public let hasTransparency: Bool
    /// tEXt, zTXt and iTXt chunks in file order.
    public let textChunks: [PNGTextChunk]
    public let samples: Samples

    /// Builds a decoded image by hand (normally produced by `read`).
    public init(width: Int, height: Int, sourceBitDepth: Int, sourceColorType: PNGColorType, isInterlaced: Bool,
                hasTransparency: Bool, textChunks: [PNGTextChunk], samples: Samples) {
        self.width = width
        self.height = height
        self.sourceBitDepth = sourceBitDepth
        self.sourceColorType = sourceColorType
        self.isInterlaced = isInterlaced
        self.hasTransparency = hasTransparency
        self.textChunks = textChunks
        self.samples = samples
    }

    /// The A1111 generation parameters (`parameters` text chunk), if present.
    public var parameters: String? { textChunks.text(forKeyword: PNGTextChunk.parametersKeyword) }

    /// 8-bit RGBA; 16-bit files keep the high byte of each sample (Pillow's conversion).
    public var rgba8: RGBAImage {
        switch samples {
        case let .eight(bytes): return RGBAImage(uncheckedWidth: width, height: height, pixels: bytes)
        case let .sixteen(words): return RGBA16Image(uncheckedWidth: width, height: height, samples: words).narrowedTo8Bit
        }
    }

    /// 16-bit RGBA; 8-bit files are widened by ×257.
    public var rgba16: RGBA16Image {
        switch samples {
        case let .eight(bytes): return RGBAImage(uncheckedWidth: width, height: height, pixels: bytes).widenedTo16Bit
        case let .sixteen(words): return RGBA16Image(uncheckedWidth: width, height: height, samples: words)
        }
    }

    /// RGBA samples scaled to 0...1 from the file's own precision.
    public var rgbaFloat: [Float] {
        switch samples {
        case let .eight(bytes): return bytes.map { Float($0) / 255 }
        case let .sixteen(words): return words.map { Float($0) / 65535 }
        }
    }

    /// Decodes a PNG file. Corrupt, truncated or non-PNG files fail with an
    /// `ImagingError` naming the file and the reason; nothing partial is returned.
    public static func read(path: String) throws -> PNGImage {
        try decode(PNGDecodeSession(path: path))
    }

    /// Decodes PNG bytes; `name` is used in error messages.
    public static func read(data: [UInt8], name: String = "<memory>") throws -> PNGImage {
        try decode(PNGDecodeSession(bytes: data, name: name))
    }

    private static func decode(_ session: PNGDecodeSession) throws -> PNGImage {
        let bytes = try session.readImageBytes()
        let chunks = try session.finish()
        let info = session.info
        return PNGImage(
            width: session.width, height: session.height,
            sourceBitDepth: Int(info.source_bit_depth),
            sourceColorType: PNGColorType(rawValue: Int(info.source_color_type)) ?? .rgba,
            isInterlaced: session.isInterlaced,
            hasTransparency: info.has_transparency != 0,
            textChunks: chunks,
            samples: session.is16Bit ? .sixteen(bytes.hostOrderUInt16()) : .eight(bytes))
    }
}
