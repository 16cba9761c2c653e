import TesseraImaging

/// A1111's "Masked content" choices (`inpainting_fill`).
public enum MaskedContent: Int, Sendable, CaseIterable, Codable {
    case fill = 0
    case original = 1
    case latentNoise = 2
    case latentNothing = 3

    public init(a1111Value: Int) throws {
        guard let value = MaskedContent(rawValue: a1111Value) else {
            throw ImageOpsError.invalidParameter(
                name: "inpainting_fill", problem: "\(a1111Value) is not one of 0 (fill), 1 (original), 2 (latent noise), 3 (latent nothing)")
        }
        self = value
    }

    public var label: String {
        switch self {
        case .fill: return "fill"
        case .original: return "original"
        case .latentNoise: return "latent noise"
        case .latentNothing: return "latent nothing"
        }
    }

    /// A1111 runs the pixel fill for every choice except "original".
    public var usesPixelFill: Bool { self != .original }
}

/// A1111's `masking.fill`: the masked area is replaced by colours smeared in from around it,
/// by stacking ever sharper Pillow Gaussian blurs of the premultiplied, masked-out image.
public enum MaskedContentFill {
    /// (radius, repeats) in A1111's order; radius 0 is the unblurred image.
    static let passes: [(radius: Float, repeats: Int)] = [(256, 1), (64, 1), (16, 2), (4, 4), (2, 2), (0, 1)]

    /// The filled image (opaque); pixels where the mask is 0 are exactly the input's.
    public static func apply(_ image: RGBAImage, mask: GreyImage) throws -> RGBAImage {
        try ImageOpsError.requireSameSize("mask", mask.width, mask.height, as: image.width, image.height)
        // paste(RGBa image, mask = inverted mask) onto a transparent RGBa canvas.
        // A1111 passes an RGB image: every pixel starts opaque.
        let premultiplied = PillowPixelMath.premultiplied(PillowPixelMath.opaque(image))
        var masked = RGBAImage(width: image.width, height: image.height, fill: (0, 0, 0, 0))
        for pixel in 0..<mask.pixels.count {
            let keep = 255 - mask.pixels[pixel]
            for channel in 0..<4 {
                let index = pixel * 4 + channel
                masked.pixels[index] = PillowPixelMath.blend(destination: 0, source: premultiplied.pixels[index], mask: keep)
            }
        }
        var result = RGBAImage(width: image.width, height: image.height, fill: (0, 0, 0, 0))
        for pass in passes {
            let blurred = PillowPixelMath.unpremultiplied(try PillowGaussianBlur(radius: pass.radius).apply(masked))
            for _ in 0..<pass.repeats { PillowPixelMath.alphaComposite(destination: &result, source: blurred) }
        }
        return PillowPixelMath.opaque(result)
    }
}
