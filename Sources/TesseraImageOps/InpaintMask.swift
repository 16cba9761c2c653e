import TesseraImaging

/// An A1111 inpaint mask: 8-bit, white (255) = repaint, black (0) = keep.
public struct InpaintMask: Sendable, Equatable {
    public var mask: GreyImage

    public init(_ mask: GreyImage) { self.mask = mask }

    /// A1111's `create_binary_mask`: an image with non-opaque alpha somewhere uses its alpha
    /// channel (thresholded `> 128 → 255`, else 0, when `round`); any other image is converted
    /// to luminance (Pillow's L conversion), unthresholded.
    public init(image: RGBAImage, round: Bool = true) {
        if image.isOpaque {
            mask = GreyImage(luminanceOf: image)
        } else {
            var alpha = GreyImage(channel: 3, of: image)
            if round { alpha.pixels = alpha.pixels.map { $0 > 128 ? 255 : 0 } }
            mask = alpha
        }
    }

    public var width: Int { mask.width }
    public var height: Int { mask.height }

    /// "Inpaint not masked": 255 − m, applied before the blur.
    public var inverted: InpaintMask { InpaintMask(mask.inverted) }

    /// The mask after A1111's separable Gaussian mask blur.
    public func blurred(_ blur: MaskBlur) -> InpaintMask { InpaintMask(blur.apply(mask)) }

    /// Fails with "mask: 300x200 does not match the image 512x512" when the sizes differ.
    public func checkMatches(_ image: RGBAImage) throws {
        try ImageOpsError.requireSameSize("mask", mask.width, mask.height, as: image.width, image.height)
    }

    /// True when no pixel is masked.
    public var isEmpty: Bool { !mask.pixels.contains { $0 != 0 } }
}
