/// An 8-bit-per-sample RGBA image, rows top to bottom, 4 bytes per pixel, not premultiplied.
/// This is the working format of resampling, tiling and blending (as in Pillow/A1111).
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major RGBA samples; `pixels.count == width * height * 4`.
    public var pixels: [UInt8]

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: (r: UInt8, g: UInt8, b: UInt8, a: UInt8) = (0, 0, 0, 255)) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for index in stride(from: 0, to: pixels.count, by: 4) {
            pixels[index] = fill.r
            pixels[index + 1] = fill.g
            pixels[index + 2] = fill.b
            pixels[index + 3] = fill.a
        }
        self.pixels = pixels
    }

    /// Wraps existing samples; fails when the count does not match the size.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0 else {
            throw ImagingError.invalidArgument(argument: "image size", problem: "\(width)×\(height) is negative")
        }
        guard pixels.count == width * height * 4 else {
            throw ImagingError.invalidArgument(
                argument: "pixels", problem: "\(pixels.count) samples for a \(width)×\(height) RGBA image (expected \(width * height * 4))")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Internal initialiser for already validated buffers.
    init(uncheckedWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The rectangle (0, 0, width, height).
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// The RGBA samples of one pixel.
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let index = (y * width + x) * 4
        return (pixels[index], pixels[index + 1], pixels[index + 2], pixels[index + 3])
    }

    /// Overwrites the RGBA samples of one pixel.
    public mutating func setPixel(x: Int, y: Int, _ value: (r: UInt8, g: UInt8, b: UInt8, a: UInt8)) {
        let index = (y * width + x) * 4
        pixels[index] = value.r
        pixels[index + 1] = value.g
        pixels[index + 2] = value.b
        pixels[index + 3] = value.a
    }

    /// True when every alpha sample is 255.
    public var isOpaque: Bool {
        var index = 3
        while index < pixels.count {
            if pixels[index] != 255 { return false }
            index += 4
        }
        return true
    }

    /// A copy of a sub-rectangle, which must lie inside the image.
    public func cropped(to rect: PixelRect) throws -> RGBAImage {
        guard rect.width >= 0, rect.height >= 0, bounds.contains(rect) else {
            throw ImagingError.invalidArgument(argument: "crop rectangle", problem: "\(rect) is outside the \(width)×\(height) image")
        }
        let out = pixels.withUnsafeBytes { Self.crop(rgba: $0, width: width, to: rect) }
        return RGBAImage(uncheckedWidth: rect.width, height: rect.height, pixels: out)
    }

    /// `rect` of RGBA8 rows `width` pixels wide held elsewhere (a coordinator keeps a job's source as one buffer);
    /// `rect` must lie inside them.
    public static func crop(rgba source: UnsafeRawBufferPointer, width: Int, to rect: PixelRect) -> [UInt8] {
        let rowBytes = rect.width * 4
        return [UInt8](unsafeUninitializedCapacity: rect.area * 4) { target, count in
            for row in 0..<rect.height {
                let from = ((rect.y + row) * width + rect.x) * 4
                UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: target[(row * rowBytes)..<((row + 1) * rowBytes)]))
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[from..<(from + rowBytes)]))
            }
            count = rect.area * 4
        }
    }

    /// Copies `image` into this one with its top-left corner at (`x`, `y`); parts outside are dropped.
    public mutating func paste(_ image: RGBAImage, x: Int, y: Int) {
        let target = bounds.intersection(PixelRect(x: x, y: y, width: image.width, height: image.height))
        if target.isEmpty { return }
        for row in target.y..<target.maxY {
            let from = ((row - y) * image.width + (target.x - x)) * 4
            let to = (row * width + target.x) * 4
            for offset in 0..<(target.width * 4) { pixels[to + offset] = image.pixels[from + offset] }
        }
    }

    /// The image widened to 16 bits per sample (v × 257, so 255 becomes 65535).
    public var widenedTo16Bit: RGBA16Image {
        RGBA16Image(uncheckedWidth: width, height: height, samples: pixels.map { UInt16($0) &* 257 })
    }
}
