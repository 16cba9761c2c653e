/// A rectangle of a larger source image, kept in that image's coordinates: what a cluster tile carries instead of
/// the whole source, so an 8K or 16K source never has to fit in one message or in every worker's memory.
///
/// Resizes and crops through a window give exactly what they give on the whole image. They refuse any read outside
/// the rectangle, so a window cut too small fails loudly instead of clamping at the wrong edge.
public struct SourceWindow: Sendable, Equatable {
    /// Size of the whole source.
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Where the pixels sit in the whole source.
    public let rect: PixelRect
    /// `rect.width` × `rect.height` pixels.
    public let pixels: RGBAImage

    /// All of `image`.
    public init(whole image: RGBAImage) {
        sourceWidth = image.width
        sourceHeight = image.height
        rect = image.bounds
        pixels = image
    }

    /// `rect` of `image`.
    public init(cropping image: RGBAImage, to rect: PixelRect) throws {
        try self.init(pixels: try image.cropped(to: rect), rect: rect, sourceWidth: image.width, sourceHeight: image.height)
    }

    /// Pixels received for `rect` of a `sourceWidth`×`sourceHeight` source; fails when they do not fit.
    public init(pixels: RGBAImage, rect: PixelRect, sourceWidth: Int, sourceHeight: Int) throws {
        guard pixels.width == rect.width, pixels.height == rect.height, !rect.isEmpty,
              PixelRect(x: 0, y: 0, width: sourceWidth, height: sourceHeight).contains(rect) else {
            throw ImagingError.invalidArgument(
                argument: "source window",
                problem: "\(pixels.width)×\(pixels.height) pixels for \(rect) of a \(sourceWidth)×\(sourceHeight) source")
        }
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.rect = rect
        self.pixels = pixels
    }

    /// True when the window is the whole source.
    public var isWhole: Bool { rect == PixelRect(x: 0, y: 0, width: sourceWidth, height: sourceHeight) }

    /// The whole source; fails naming `use` when this is only part of it.
    public func wholeImage(for use: String) throws -> RGBAImage {
        guard isWhole else {
            throw ImagingError.invalidArgument(
                argument: "source window", problem: "\(use) needs the whole \(sourceWidth)×\(sourceHeight) source, got only \(rect)")
        }
        return pixels
    }

    /// `area` (in source coordinates) as its own image.
    public func cropped(to area: PixelRect) throws -> RGBAImage {
        try checkCovers(area)
        return try pixels.cropped(to: PixelRect(x: area.x - rect.x, y: area.y - rect.y, width: area.width, height: area.height))
    }

    /// Fails unless `area` (source coordinates) lies inside the window.
    func checkCovers(_ area: PixelRect) throws {
        guard area.isEmpty || rect.contains(area) else {
            throw ImagingError.invalidArgument(
                argument: "source window", problem: "reading \(area) of the source, but the window holds only \(rect)")
        }
    }

    /// The source rectangle to ship for rendering `region` of a `targetWidth`×`targetHeight` resize of a
    /// `sourceWidth`×`sourceHeight` source: `region` mapped back to the source, grown by `margin` source pixels
    /// (filter support, model context) plus the support of a downscale, and clamped to the source.
    public static func rect(
        around region: PixelRect, sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int, margin: Int
    ) -> PixelRect {
        func axis(_ low: Int, _ high: Int, _ size: Int, _ target: Int) -> (Int, Int) {
            let scale = Double(size) / Double(max(1, target))
            // A downscale's Lanczos support grows with the factor (3 output pixels each side).
            let reach = margin + Int((3 * max(scale, 1)).rounded(.up))
            let a = Int((Double(low) * scale).rounded(.down)) - reach
            let b = Int((Double(high) * scale).rounded(.up)) + reach
            let lower = max(0, a)
            return (lower, min(size, max(b, lower + 1)))
        }
        let (x0, x1) = axis(region.x, region.maxX, sourceWidth, targetWidth)
        let (y0, y1) = axis(region.y, region.maxY, sourceHeight, targetHeight)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
