/// Image resizing that reproduces Pillow's `Image.resize` for RGB(A) images bit for bit:
/// two separable passes (horizontal, then vertical) on 8-bit values with Pillow's
/// fixed-point weights, support widened by the scale when downscaling, RGBA
/// premultiplied by alpha around the convolution, and Pillow's nearest-neighbour mapping.
public enum Resampler {
    /// Resizes `image` to `width`×`height`. `box` selects a source region (Pillow's `box`).
    public static func resize(_ image: RGBAImage, width: Int, height: Int, filter: ResampleFilter = .lanczos,
                              box: SourceBox? = nil, passOrder: ResamplePassOrder = .pillow13) throws -> RGBAImage {
        try resizeRegion(image, width: width, height: height,
                         region: PixelRect(x: 0, y: 0, width: width, height: height), filter: filter, box: box,
                         passOrder: passOrder)
    }

    /// Renders only `region` of the `width`×`height` resize of `image`. The result is
    /// bit-identical to cropping `region` out of the full `resize`, but only touches the
    /// source pixels that region needs — the basis of tiled upscaling.
    public static func resizeRegion(_ image: RGBAImage, width: Int, height: Int, region: PixelRect,
                                    filter: ResampleFilter = .lanczos, box: SourceBox? = nil,
                                    passOrder: ResamplePassOrder = .pillow13) throws -> RGBAImage {
        try resizeRegion(SourceWindow(whole: image), width: width, height: height, region: region, filter: filter, box: box,
                         passOrder: passOrder)
    }

    /// ``resizeRegion(_:width:height:region:filter:box:passOrder:)`` of the whole source that `window` is part of,
    /// reading only the window: bit-identical to the whole-image call, or an error when `region` needs source pixels
    /// outside the window.
    public static func resizeRegion(_ window: SourceWindow, width: Int, height: Int, region: PixelRect,
                                    filter: ResampleFilter = .lanczos, box: SourceBox? = nil,
                                    passOrder: ResamplePassOrder = .pillow13) throws -> RGBAImage {
        let (sourceWidth, sourceHeight) = (window.sourceWidth, window.sourceHeight)
        guard width > 0, height > 0 else {
            throw ImagingError.invalidArgument(argument: "resize target", problem: "\(width)×\(height) must be positive")
        }
        guard sourceWidth > 0, sourceHeight > 0 else {
            throw ImagingError.invalidArgument(argument: "resize source", problem: "the image is empty")
        }
        guard region.width >= 0, region.height >= 0,
              PixelRect(x: 0, y: 0, width: width, height: height).contains(region) else {
            throw ImagingError.invalidArgument(argument: "resize region", problem: "\(region) is outside \(width)×\(height)")
        }
        let box = box ?? .whole(width: sourceWidth, height: sourceHeight)
        guard box.x0 >= 0, box.y0 >= 0, box.x1 <= Double(sourceWidth), box.y1 <= Double(sourceHeight),
              box.x1 - box.x0 >= 0, box.y1 - box.y0 >= 0 else {
            throw ImagingError.invalidArgument(
                argument: "resize box", problem: "(\(box.x0), \(box.y0), \(box.x1), \(box.y1)) is outside the \(sourceWidth)×\(sourceHeight) source")
        }
        if region.area == 0 { return RGBAImage(width: region.width, height: region.height) }

        // Pillow returns an untouched copy when nothing changes.
        if width == sourceWidth, height == sourceHeight, box == .whole(width: sourceWidth, height: sourceHeight) {
            return try window.cropped(to: region)
        }
        if filter == .nearest {
            return try NearestScaler.render(window, width: width, height: height, region: region, box: box)
        }
        return try ConvolutionScaler.render(window, width: width, height: height, region: region, box: box, filter: filter,
                                            passOrder: passOrder)
    }
}
