import TesseraImaging

/// A1111's final inpaint composite (`apply_overlay`): the original image, with alpha
/// `255 − overlay mask`, is alpha-composited over the generated image, so every pixel where the
/// overlay mask is 0 comes back exactly as it was.
public struct OverlayComposite: Sendable, Equatable {
    /// The RGBA overlay: original colours, alpha = 255 − mask.
    public let overlay: RGBAImage

    /// Builds the overlay from the (flattened) init image and `mask_for_overlay` of the same size.
    public init(image: RGBAImage, overlayMask: GreyImage) throws {
        try ImageOpsError.requireSameSize("overlay mask", overlayMask.width, overlayMask.height, as: image.width, image.height)
        // RGBA → RGBa, pasted with mask 255 − m onto a transparent RGBa canvas, back to RGBA.
        let premultiplied = PillowPixelMath.premultiplied(PillowPixelMath.opaque(image))
        var masked = RGBAImage(width: image.width, height: image.height, fill: (0, 0, 0, 0))
        for pixel in 0..<overlayMask.pixels.count {
            let keep = 255 - overlayMask.pixels[pixel]
            for channel in 0..<4 {
                let index = pixel * 4 + channel
                masked.pixels[index] = PillowPixelMath.blend(destination: 0, source: premultiplied.pixels[index], mask: keep)
            }
        }
        overlay = PillowPixelMath.unpremultiplied(masked)
    }

    /// Composites `generated` under the overlay. With `pasteTo` (Only masked), the generated
    /// image is first resized with Crop and resize to the box and placed on a transparent canvas
    /// of the overlay's size (A1111's `uncrop`); otherwise it must already have the overlay's size.
    /// The result is opaque.
    public func composite(generated: RGBAImage, pasteTo: CropRegion? = nil) throws -> RGBAImage {
        var base: RGBAImage
        if let box = pasteTo {
            guard box.width > 0, box.height > 0 else {
                throw ImageOpsError.invalidParameter(name: "paste_to", problem: "\(box) is empty")
            }
            let fitted = try ResizeMode.cropAndResize.resize(generated, width: box.width, height: box.height)
            base = RGBAImage(width: overlay.width, height: overlay.height, fill: (0, 0, 0, 0))
            base.paste(fitted, x: box.x1, y: box.y1)
        } else {
            try ImageOpsError.requireSameSize("generated image", generated.width, generated.height,
                                              as: overlay.width, overlay.height)
            base = PillowPixelMath.opaque(generated)
        }
        PillowPixelMath.alphaComposite(destination: &base, source: overlay)
        return PillowPixelMath.opaque(base)
    }
}
