import TesseraImageOps
import TesseraImaging

/// Applies the job's colour fix (StableSR wavelet / AdaIN, spec §8.2) to a redrawn tile against the same region of the
/// pre-upscaled source, so tiles keep the source's colours instead of drifting each its own way.
enum TileColorFixing {
    /// `tile` colour-fixed against `reference` (same size), with `reference`'s alpha.
    static func fixed(_ tile: RGBAImage, against reference: RGBAImage, with fix: ColorFix) throws -> RGBAImage {
        var out = fix == .none ? tile : try fix.apply(target: tile, reference: reference)
        copyAlpha(from: reference, to: &out)
        return out
    }

    /// A causal tile's result colour-fixed only as far as its blurred mask reaches: the fix is mixed in with weight
    /// `mask / 255`, so pixels the mask leaves alone (the earlier tiles around it) stay exactly as they were.
    static func fixed(
        _ tile: RGBAImage, against reference: RGBAImage, mask: GreyImage, with fix: ColorFix
    ) throws -> RGBAImage {
        var out = tile
        if fix != .none {
            let corrected = try fix.apply(target: tile, reference: reference)
            for pixel in 0..<mask.pixels.count {
                let m = Int(mask.pixels[pixel])
                guard m > 0 else { continue }
                for channel in 0..<3 {
                    let i = pixel * 4 + channel
                    out.pixels[i] = UInt8((Int(tile.pixels[i]) * (255 - m) + Int(corrected.pixels[i]) * m + 127) / 255)
                }
            }
        }
        copyAlpha(from: reference, to: &out)
        return out
    }

    /// Diffusion redraws colour only: a transparent source keeps its transparency, as in a classical upscale.
    static func copyAlpha(from reference: RGBAImage, to image: inout RGBAImage) {
        for i in stride(from: 3, to: image.pixels.count, by: 4) { image.pixels[i] = reference.pixels[i] }
    }
}
