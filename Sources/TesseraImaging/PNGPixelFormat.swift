/// The sample layout of a PNG file being written.
public enum PNGPixelFormat: String, Sendable, Hashable, CaseIterable {
    case rgb8, rgba8, rgb16, rgba16

    /// Samples per pixel in the file (3 or 4).
    public var channels: Int { hasAlpha ? 4 : 3 }
    /// True for the RGBA formats.
    public var hasAlpha: Bool { self == .rgba8 || self == .rgba16 }
    /// Bits per sample (8 or 16).
    public var bitDepth: Int { (self == .rgb8 || self == .rgba8) ? 8 : 16 }
}

/// The colour type recorded in a PNG header.
public enum PNGColorType: Int, Sendable, Hashable {
    case grayscale = 0
    case rgb = 2
    case palette = 3
    case grayscaleAlpha = 4
    case rgba = 6
}
