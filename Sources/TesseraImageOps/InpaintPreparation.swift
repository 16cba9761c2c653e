import TesseraImaging

/// The inpaint settings of an A1111 img2img job that shape pixels (API names in the comments).
public struct InpaintSettings: Sendable, Equatable {
    /// Render size (`width`, `height`).
    public var width: Int
    public var height: Int
    /// `resize_mode`.
    public var resizeMode: ResizeMode
    /// `mask_blur_x` / `mask_blur_y`.
    public var blur: MaskBlur
    /// `inpainting_mask_invert` ("Inpaint not masked").
    public var invertMask: Bool
    /// `inpaint_full_res` ("Only masked").
    public var onlyMasked: Bool
    /// `inpaint_full_res_padding`.
    public var padding: Int
    /// `inpainting_fill`.
    public var maskedContent: MaskedContent
    /// `mask_round`.
    public var maskRound: Bool

    public init(width: Int, height: Int, resizeMode: ResizeMode = .justResize, blur: MaskBlur, invertMask: Bool = false,
                onlyMasked: Bool = false, padding: Int = 32, maskedContent: MaskedContent = .original, maskRound: Bool = true) {
        self.width = width
        self.height = height
        self.resizeMode = resizeMode
        self.blur = blur
        self.invertMask = invertMask
        self.onlyMasked = onlyMasked
        self.padding = padding
        self.maskedContent = maskedContent
        self.maskRound = maskRound
    }
}

/// What A1111's `StableDiffusionProcessingImg2Img.init` makes of an init image and a mask.
public struct PreparedInpaint: Sendable, Equatable {
    /// The image to encode (resized or cropped to the render size, filled when asked).
    public let initImage: RGBAImage
    /// `image_mask` at the render size (the latent mask source); nil when A1111 falls back to plain img2img.
    public let samplingMask: GreyImage?
    /// The final composite; nil together with `samplingMask`.
    public let overlay: OverlayComposite?
    /// `paste_to` in Only masked mode.
    public let cropRegion: CropRegion?

    /// Places a generated render-size image back (the `apply_overlay` step); without a mask it is returned unchanged.
    public func composite(generated: RGBAImage) throws -> RGBAImage {
        guard let overlay else { return generated }
        return try overlay.composite(generated: generated, pasteTo: cropRegion)
    }

    /// Runs A1111's mask and init-image handling. The mask must have the init image's size.
    /// `upscaler` (A1111's `upscaler_for_img2img`) is used for growing the init image, never the mask.
    public static func prepare(image: RGBAImage, maskImage: RGBAImage, settings: InpaintSettings,
                               upscaler: (@Sendable (RGBAImage, Double) throws -> RGBAImage)? = nil) throws -> PreparedInpaint {
        try ImageOpsError.requireSameSize("mask", maskImage.width, maskImage.height, as: image.width, image.height)
        let image = image.flattened()  // A1111 `images.flatten` onto img2img_background_color (white)
        guard settings.width > 0, settings.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "width/height", problem: "\(settings.width)x\(settings.height) must be positive")
        }
        var mask = InpaintMask(image: maskImage, round: settings.maskRound)
        if settings.invertMask { mask = mask.inverted }
        mask = mask.blurred(settings.blur)

        var overlayMask: GreyImage
        var samplingMask: GreyImage
        var crop: CropRegion?
        if settings.onlyMasked {
            overlayMask = mask.mask
            guard let box = try CropRegion.around(mask.mask, padding: settings.padding) else {
                // A1111: 'Unable to perform "Inpaint Only mask" because mask is blank, switch to img2img mode.'
                let initImage = settings.resizeMode == .latentUpscale
                    ? image : try settings.resizeMode.resize(image, width: settings.width, height: settings.height, upscaler: upscaler)
                return PreparedInpaint(initImage: initImage, samplingMask: nil, overlay: nil, cropRegion: nil)
            }
            let expanded = box.expanded(toAspectOf: settings.width, settings.height,
                                        imageWidth: mask.width, imageHeight: mask.height)
            crop = expanded
            samplingMask = try ResizeMode.resizeAndFill.resize(try mask.mask.cropped(to: expanded.rect),
                                                                width: settings.width, height: settings.height)
        } else {
            samplingMask = try settings.resizeMode.resize(mask.mask, width: settings.width, height: settings.height)
            overlayMask = samplingMask
            overlayMask.pixels = samplingMask.pixels.map { UInt8(min(255, 2 * Int($0))) }
        }

        var initImage = image
        if crop == nil && settings.resizeMode != .latentUpscale {
            initImage = try settings.resizeMode.resize(image, width: settings.width, height: settings.height, upscaler: upscaler)
        }
        if overlayMask.width != initImage.width || overlayMask.height != initImage.height {
            overlayMask = try settings.resizeMode.resize(overlayMask, width: initImage.width, height: initImage.height)
        }
        let overlay = try OverlayComposite(image: initImage, overlayMask: overlayMask)
        if let crop {
            initImage = try ResizeMode.resizeAndFill.resize(try initImage.cropped(to: crop.rect),
                                                            width: settings.width, height: settings.height, upscaler: upscaler)
        }
        if settings.maskedContent.usesPixelFill {
            if samplingMask.width != initImage.width || samplingMask.height != initImage.height {
                throw ImageOpsError.invalidParameter(
                    name: "inpainting_fill",
                    problem: "pixel fill needs the mask and init image at one size; resize mode 3 keeps the image at \(initImage.width)x\(initImage.height)")
            }
            initImage = try MaskedContentFill.apply(initImage, mask: samplingMask)
        }
        return PreparedInpaint(initImage: initImage, samplingMask: samplingMask, overlay: overlay, cropRegion: crop)
    }
}
