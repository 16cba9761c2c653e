import TesseraImaging

/// ControlNet's `try_crop_image_with_a1111_mask`: in an "Only masked" img2img job (USDU tiles),
/// the control image is cut to exactly the region A1111 renders, at the render size.
public enum ControlImageA1111Crop {
    /// The crop box A1111 itself uses: the mask (already inverted when "Inpaint not masked")
    /// is blurred with the mask blur, boxed with `padding` and expanded to the render aspect.
    /// Nil when the blurred mask is all black.
    public static func cropRegion(mask: GreyImage, blur: MaskBlur, padding: Int, width: Int, height: Int) throws -> CropRegion? {
        let blurred = blur.apply(mask)
        guard let box = try CropRegion.around(blurred, padding: padding) else { return nil }
        return box.expanded(toAspectOf: width, height, imageWidth: mask.width, imageHeight: mask.height)
    }

    /// Fits `control` to the mask size with the unit's resize mode (A1111 `resize_image`), crops
    /// `region` and resizes that with Resize and fill to `width`×`height`.
    public static func apply(_ control: RGBAImage, maskWidth: Int, maskHeight: Int, region: CropRegion,
                             mode: ControlResizeMode, width: Int, height: Int) throws -> RGBAImage {
        let a1111Mode: ResizeMode
        switch mode {
        case .justResize: a1111Mode = .justResize
        case .cropAndResize: a1111Mode = .cropAndResize
        case .resizeAndFill: a1111Mode = .resizeAndFill
        }
        var fitted = PillowPixelMath.opaque(control)
        if control.width != maskWidth || control.height != maskHeight {
            fitted = try a1111Mode.resize(control, width: maskWidth, height: maskHeight)
        }
        guard region.width > 0, region.height > 0,
              fitted.bounds.contains(region.rect) else {
            throw ImageOpsError.invalidParameter(name: "control crop region", problem: "\(region) is outside the \(maskWidth)x\(maskHeight) mask")
        }
        return try ResizeMode.resizeAndFill.resize(try fitted.cropped(to: region.rect), width: width, height: height)
    }
}
