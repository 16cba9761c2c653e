import TesseraImaging

/// Stable Diffusion renders sizes that are multiples of 8 (one latent pixel is 8×8) and at least 64; tile contexts
/// clipped at the image edge need not be. The context is extended by repeating its last column/row (right and
/// bottom only, so pixel (0, 0) stays put) and the render is cropped back.
enum LatentSizedImage {
    static let minimumSide = 64

    /// `side` rounded up to a multiple of 8, at least `minimumSide`.
    static func renderSide(_ side: Int) -> Int { max(minimumSide, (side + 7) / 8 * 8) }

    /// `image` extended to a renderable size by edge replication (unchanged when it already is one).
    static func padded(_ image: RGBAImage) -> RGBAImage {
        let width = renderSide(image.width), height = renderSide(image.height)
        if width == image.width && height == image.height { return image }
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            let sy = min(y, image.height - 1)
            for x in 0..<width {
                let sx = min(x, image.width - 1)
                let s = (sy * image.width + sx) * 4, d = (y * width + x) * 4
                for c in 0..<4 { pixels[d + c] = image.pixels[s + c] }
            }
        }
        // The size and buffer length agree by construction.
        return try! RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// The render cropped back to `original`'s size, with `original`'s alpha (diffusion redraws colour only, so a
    /// transparent source keeps its transparency as in a classical upscale).
    static func restore(_ rendered: RGBAImage, to original: RGBAImage) throws -> RGBAImage {
        var out = try rendered.cropped(to: PixelRect(x: 0, y: 0, width: original.width, height: original.height))
        for i in stride(from: 3, to: out.pixels.count, by: 4) { out.pixels[i] = original.pixels[i] }
        return out
    }
}
