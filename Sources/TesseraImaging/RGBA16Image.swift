/// A 16-bit-per-sample RGBA image, rows top to bottom, not premultiplied.
public struct RGBA16Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major RGBA samples; `samples.count == width * height * 4`.
    public var samples: [UInt16]

    /// Wraps existing samples; fails when the count does not match the size.
    public init(width: Int, height: Int, samples: [UInt16]) throws {
        guard width >= 0, height >= 0, samples.count == width * height * 4 else {
            throw ImagingError.invalidArgument(
                argument: "samples", problem: "\(samples.count) samples for a \(width)×\(height) RGBA image")
        }
        self.width = width
        self.height = height
        self.samples = samples
    }

    init(uncheckedWidth width: Int, height: Int, samples: [UInt16]) {
        self.width = width
        self.height = height
        self.samples = samples
    }

    /// Narrowed to 8 bits by keeping the high byte, as Pillow does when it opens a
    /// 16-bit RGB(A) PNG (so A1111 sees the same 8-bit values).
    public var narrowedTo8Bit: RGBAImage {
        RGBAImage(uncheckedWidth: width, height: height, pixels: samples.map { UInt8(truncatingIfNeeded: $0 >> 8) })
    }

    /// Samples scaled to 0...1.
    public var floatSamples: [Float] { samples.map { Float($0) / 65535 } }
}
