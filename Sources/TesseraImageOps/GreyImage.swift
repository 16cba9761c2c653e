import TesseraImaging

/// An 8-bit single-channel image (Pillow mode "L"): masks, edge maps. Rows top to bottom.
public struct GreyImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major samples; `pixels.count == width * height`.
    public var pixels: [UInt8]

    /// An image filled with one value.
    public init(width: Int, height: Int, value: UInt8 = 0) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.pixels = [UInt8](repeating: value, count: self.width * self.height)
    }

    /// Wraps existing samples; fails when the count does not match the size.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0, pixels.count == width * height else {
            throw ImageOpsError.invalidParameter(
                name: "grey image", problem: "\(pixels.count) samples for a \(width)x\(height) image")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// One channel (0 = R … 3 = A) of an RGBA image.
    public init(channel: Int, of image: RGBAImage) {
        width = image.width
        height = image.height
        var out = [UInt8](repeating: 0, count: image.width * image.height)
        for index in 0..<out.count { out[index] = image.pixels[index * 4 + channel] }
        pixels = out
    }

    /// Pillow's RGB → L conversion (ITU-R 601-2 luma in 16-bit fixed point); alpha is ignored.
    public init(luminanceOf image: RGBAImage) {
        width = image.width
        height = image.height
        var out = [UInt8](repeating: 0, count: image.width * image.height)
        for index in 0..<out.count { out[index] = Self.luminance(image, pixel: index) }
        pixels = out
    }

    /// Row `y` of ``init(luminanceOf:)`` alone, for filters that stream a large image row by row.
    public static func luminance(ofRow y: Int, in image: RGBAImage) -> [UInt8] {
        (y * image.width..<(y + 1) * image.width).map { luminance(image, pixel: $0) }
    }

    @inline(__always)
    private static func luminance(_ image: RGBAImage, pixel index: Int) -> UInt8 {
        let r = UInt32(image.pixels[index * 4]), g = UInt32(image.pixels[index * 4 + 1]), b = UInt32(image.pixels[index * 4 + 2])
        return UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
    }

    /// The grey values replicated to R, G and B with opaque alpha (Pillow's L → RGB/RGBA).
    public var rgba: RGBAImage {
        var image = RGBAImage(width: width, height: height)
        for index in 0..<pixels.count {
            let value = pixels[index]
            image.pixels[index * 4] = value
            image.pixels[index * 4 + 1] = value
            image.pixels[index * 4 + 2] = value
        }
        return image
    }

    /// 255 − value everywhere (Pillow's `ImageOps.invert`).
    public var inverted: GreyImage {
        var copy = self
        for index in 0..<copy.pixels.count { copy.pixels[index] = 255 &- copy.pixels[index] }
        return copy
    }

    /// A copy of a sub-rectangle, which must lie inside the image.
    public func cropped(to rect: PixelRect) throws -> GreyImage {
        guard rect.width >= 0, rect.height >= 0, bounds.contains(rect) else {
            throw ImageOpsError.invalidParameter(name: "crop rectangle", problem: "\(rect) is outside the \(width)x\(height) mask")
        }
        var out = [UInt8](repeating: 0, count: rect.width * rect.height)
        for row in 0..<rect.height {
            for column in 0..<rect.width { out[row * rect.width + column] = pixels[(rect.y + row) * width + rect.x + column] }
        }
        return try GreyImage(width: rect.width, height: rect.height, pixels: out)
    }

    /// Pillow-compatible resize of the mask (same kernels as RGB images; a mode "L" image).
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter = .lanczos) throws -> GreyImage {
        let resized = try Resampler.resize(rgba, width: newWidth, height: newHeight, filter: filter, passOrder: .horizontalFirst)
        return GreyImage(channel: 0, of: resized)
    }

    /// Pillow's `getbbox()`: the smallest rectangle holding every non-zero sample, nil when all are zero.
    public var nonZeroBoundingBox: PixelRect? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        for y in 0..<height {
            for x in 0..<width where pixels[y * width + x] != 0 {
                if x < minX { minX = x }
                if x > maxX { maxX = x }
                if y < minY { minY = y }
                if y > maxY { maxY = y }
            }
        }
        if maxX < 0 { return nil }
        return PixelRect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
    }
}
