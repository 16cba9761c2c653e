import TesseraImaging

/// The `blendmodes` library's `BlendType.LUMINOSITY` of two opaque images (W3C non-separable
/// "luminosity"): the background's hue and saturation with the foreground's luma
/// (0.299 R + 0.587 G + 0.114 B), clipped back into gamut, then `np.around(255·x)`.
public enum LuminosityBlend {
    public static func blend(background: RGBAImage, foreground: RGBAImage) throws -> RGBAImage {
        try ImageOpsError.requireSameSize("luminosity blend foreground", foreground.width, foreground.height,
                                          as: background.width, background.height)
        var out = background
        func lum(_ c: (Double, Double, Double)) -> Double { c.0 * 0.299 + c.1 * 0.587 + c.2 * 0.114 }
        for p in 0..<(background.width * background.height) {
            let i = p * 4
            let bg = (Double(background.pixels[i]) / 255, Double(background.pixels[i + 1]) / 255, Double(background.pixels[i + 2]) / 255)
            let fg = (Double(foreground.pixels[i]) / 255, Double(foreground.pixels[i + 1]) / 255, Double(foreground.pixels[i + 2]) / 255)
            let delta = lum(fg) - lum(bg)
            var c = [bg.0 + delta, bg.1 + delta, bg.2 + delta]
            let l = lum((c[0], c[1], c[2]))
            let lo = c.min()!, hi = c.max()!
            if lo < 0 { c = c.map { l + (($0 - l) * l) / (l - lo) } }
            if hi > 1 { c = c.map { l + (($0 - l) * (1 - l)) / (hi - l) } }
            for k in 0..<3 {
                let v = (c[k] * 255).rounded(.toNearestOrEven)
                out.pixels[i + k] = v.isFinite ? UInt8(min(max(v, 0), 255)) : 0
            }
            out.pixels[i + 3] = 255
        }
        return out
    }
}
