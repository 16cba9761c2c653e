import TesseraImaging

/// A1111's "Inpaint sketch" (img2img mode 3): colour strokes drawn on the image become both
/// the inpaint mask and, softened, part of the init image.
public struct InpaintSketch: Sendable, Equatable {
    /// The init image: the blurred stroked canvas blended into the original through the blurred mask.
    public let initImage: RGBAImage
    /// The inpaint mask (255·(1 − transparency) where strokes are, unblurred); A1111 then applies
    /// the normal mask blur to it.
    public let mask: GreyImage

    /// - Parameters:
    ///   - sketch: the canvas with strokes; `original`: the upload without strokes (same size).
    ///   - maskTransparency: "Mask transparency" 0…100 (`mask_alpha`).
    ///   - maskBlur: `mask_blur`, used here as a Pillow GaussianBlur radius.
    public init(sketch: RGBAImage, original: RGBAImage, maskTransparency: Double = 0, maskBlur: Double = 4) throws {
        try ImageOpsError.requireSameSize("sketch", sketch.width, sketch.height, as: original.width, original.height)
        guard maskTransparency >= 0, maskTransparency <= 100 else {
            throw ImageOpsError.invalidParameter(name: "mask_alpha", problem: "\(maskTransparency) is outside 0…100")
        }
        // Strokes: any channel differs.
        var strokes = GreyImage(width: sketch.width, height: sketch.height)
        for pixel in 0..<strokes.pixels.count {
            let base = pixel * 4
            let differs = (0..<4).contains { sketch.pixels[base + $0] != original.pixels[base + $0] }
            strokes.pixels[pixel] = differs ? 255 : 0
        }
        // ImageEnhance.Brightness(mask).enhance(f): Pillow's float blend with black, truncated.
        let factor = Float(1 - maskTransparency / 100)
        strokes.pixels = strokes.pixels.map { value in
            let blended = Float(value) * factor
            return blended <= 0 ? 0 : blended >= 255 ? 255 : UInt8(blended)
        }
        let blur = try PillowGaussianBlur(radius: Float(maskBlur))
        initImage = PillowPixelMath.composite(blur.apply(sketch), over: original, mask: blur.apply(strokes))
        mask = strokes
    }
}
