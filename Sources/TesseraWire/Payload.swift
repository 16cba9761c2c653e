import Foundation

/// What a payload frame carries (docs/protocol.md §5).
public enum PayloadRole: UInt8, Sendable, CaseIterable {
    /// TILE: the source pixels the worker renders from (surroundings or the whole source).
    case context = 1
    /// TILE, SUBMIT: an inpainting mask (gray8, white = repaint).
    case mask = 2
    /// TILE, SUBMIT: a ControlNet hint image; several appear in control-unit order.
    case hint = 3
    /// RESULT: the rendered tile pixels.
    case result = 4
    /// SUBMIT: the init image of an img2img/upscale job (pixels, or opaque encoded-file bytes).
    case initImage = 5
    /// CHUNK: a slice of the job's output file.
    case fileChunk = 6
    /// TILE of a latent stage (protocol 1, latent stages v1): Float32 tensor values, opaque format.
    case latent = 7
    /// TILE: the current image inside a causal (USDU / seams fix) tile's window, which the tile redraws.
    case canvas = 8
}

/// How a payload's bytes are laid out. Image formats are 8 bits per sample, rows top to bottom,
/// pixels left to right, channels interleaved, no row padding.
public enum PayloadFormat: UInt8, Sendable, CaseIterable {
    /// Uninterpreted bytes; width and height are 0.
    case opaque = 0
    case gray8 = 1
    case rgb8 = 2
    case rgba8 = 3

    /// Bytes per pixel; 0 for opaque.
    public var bytesPerPixel: Int {
        switch self {
        case .opaque: return 0
        case .gray8: return 1
        case .rgb8: return 3
        case .rgba8: return 4
        }
    }
}

/// One payload: pixels of an image or an opaque byte range, always held decompressed in memory.
/// Compression and checksums happen in ``Message/encode(compression:)`` and
/// ``Message/decode(_:limits:)``.
public struct Payload: Sendable, Equatable {
    public var role: PayloadRole
    public var format: PayloadFormat
    /// Width in pixels (0 for opaque).
    public var width: Int
    /// Height in pixels (0 for opaque).
    public var height: Int
    /// The raw (decompressed) bytes.
    public var bytes: Data

    public init(role: PayloadRole, format: PayloadFormat, width: Int, height: Int, bytes: Data) {
        self.role = role
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// An image payload; `pixels.count` must be `width * height * format.bytesPerPixel`.
    public static func image(_ role: PayloadRole, format: PayloadFormat, width: Int, height: Int, pixels: Data) -> Payload {
        Payload(role: role, format: format, width: width, height: height, bytes: pixels)
    }

    /// An opaque payload (e.g. a slice of a PNG file).
    public static func opaque(_ role: PayloadRole, bytes: Data) -> Payload {
        Payload(role: role, format: .opaque, width: 0, height: 0, bytes: bytes)
    }

    /// The CRC-32C of ``bytes``, as carried on the wire.
    public var checksum: UInt32 { CRC32C.checksum(bytes) }
}

/// Whether the encoder tries LZ4 on payloads.
public enum PayloadCompression: Sendable {
    /// Send raw bytes.
    case none
    /// LZ4 block compression, falling back to raw when it does not make the payload smaller.
    case lz4
}
