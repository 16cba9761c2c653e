import TesseraImaging

/// A1111's sketch canvas: colour strokes drawn over the uploaded image (img2img "Sketch" and "Inpaint sketch").
///
/// The web UI hands A1111 the canvas composite. From the command line the strokes come as a PNG of the image's size:
/// a layer with transparency (strokes opaque, the rest clear) is laid over the image the way the canvas does, Pillow's
/// `alpha_composite`; an opaque PNG is taken as the finished canvas.
public enum SketchCanvas {
    public static func canvas(strokes: RGBAImage, over image: RGBAImage) throws -> RGBAImage {
        try ImageOpsError.requireSameSize("sketch", strokes.width, strokes.height, as: image.width, image.height)
        let base = image.flattened()
        if strokes.isOpaque { return strokes }
        let precisionBits: UInt32 = 7
        func divideBy255(_ value: UInt32) -> UInt32 { ((value >> 8) + value) >> 8 }
        var out = base.pixels
        for index in stride(from: 0, to: out.count, by: 4) {
            let alpha = UInt32(strokes.pixels[index + 3])
            guard alpha > 0 else { continue }
            // The base is opaque, so Pillow's output alpha term is 255·255 and the result stays opaque.
            let outAlpha255 = alpha * 255 + 255 * (255 - alpha)
            let strokeCoefficient = alpha * 255 * 255 * (1 << precisionBits) / outAlpha255
            let baseCoefficient = 255 * (1 << precisionBits) - strokeCoefficient
            for channel in 0..<3 {
                let mixed = UInt32(strokes.pixels[index + channel]) * strokeCoefficient + UInt32(out[index + channel]) * baseCoefficient
                out[index + channel] = UInt8(divideBy255(mixed + (0x80 << precisionBits)) >> precisionBits)
            }
        }
        return try RGBAImage(width: image.width, height: image.height, pixels: out)
    }
}
