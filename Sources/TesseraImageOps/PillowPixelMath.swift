import TesseraImaging

/// Pillow's integer pixel arithmetic, reproduced so composites match A1111 bit for bit.
enum PillowPixelMath {
    /// `MULDIV255(a, b)`: a·b/255 rounded, Pillow's fixed-point form.
    @inline(__always)
    static func mulDiv255(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let t = a * b + 128
        return ((t >> 8) + t) >> 8
    }

    /// `paste(src, mask)` on one sample (Pillow's `BLEND`): (src·m + dst·(255−m)) / 255, rounded once.
    @inline(__always)
    static func blend(destination: UInt8, source: UInt8, mask: UInt8) -> UInt8 {
        let m = UInt32(mask)
        let t = UInt32(source) * m + UInt32(destination) * (255 - m) + 128
        return UInt8(truncatingIfNeeded: ((t >> 8) + t) >> 8)
    }

    /// RGBA → RGBa (premultiply by alpha).
    static func premultiplied(_ image: RGBAImage) -> RGBAImage {
        var out = image
        for index in stride(from: 0, to: out.pixels.count, by: 4) {
            let alpha = UInt32(out.pixels[index + 3])
            for channel in 0..<3 {
                out.pixels[index + channel] = UInt8(mulDiv255(UInt32(out.pixels[index + channel]), alpha))
            }
        }
        return out
    }

    /// RGBa → RGBA (Pillow divides with truncation and leaves alpha 0 and 255 untouched).
    static func unpremultiplied(_ image: RGBAImage) -> RGBAImage {
        var out = image
        for index in stride(from: 0, to: out.pixels.count, by: 4) {
            let alpha = Int(out.pixels[index + 3])
            if alpha == 0 || alpha == 255 { continue }
            for channel in 0..<3 {
                out.pixels[index + channel] = UInt8(min(255, 255 * Int(out.pixels[index + channel]) / alpha))
            }
        }
        return out
    }

    /// Pillow's `Image.alpha_composite(dst, src)` ("over"), in its 7-bit fixed point.
    static func alphaComposite(destination: inout RGBAImage, source: RGBAImage) {
        let precision: UInt32 = 7
        @inline(__always) func shiftForDiv255(_ a: UInt32) -> UInt32 { ((a >> 8) + a) >> 8 }
        for index in stride(from: 0, to: destination.pixels.count, by: 4) {
            let sourceAlpha = UInt32(source.pixels[index + 3])
            if sourceAlpha == 0 { continue }
            let blend = UInt32(destination.pixels[index + 3]) * (255 - sourceAlpha)
            let outAlpha255 = sourceAlpha * 255 + blend
            let coef1 = sourceAlpha * 255 * 255 * (1 << precision) / outAlpha255
            let coef2 = 255 * (1 << precision) - coef1
            for channel in 0..<3 {
                let value = UInt32(source.pixels[index + channel]) * coef1 + UInt32(destination.pixels[index + channel]) * coef2
                destination.pixels[index + channel] = UInt8(truncatingIfNeeded: shiftForDiv255(value + (0x80 << precision)) >> precision)
            }
            destination.pixels[index + 3] = UInt8(truncatingIfNeeded: shiftForDiv255(outAlpha255 + 0x80))
        }
    }

    /// `Image.composite(a, b, mask)` for RGBA: b where mask is 0, a where 255, blended between.
    static func composite(_ a: RGBAImage, over b: RGBAImage, mask: GreyImage) -> RGBAImage {
        var out = b
        for pixel in 0..<mask.pixels.count {
            let m = mask.pixels[pixel]
            for channel in 0..<4 {
                let index = pixel * 4 + channel
                out.pixels[index] = blend(destination: b.pixels[index], source: a.pixels[index], mask: m)
            }
        }
        return out
    }

    /// Every pixel's alpha set to 255 (what pasting into Pillow's RGB canvas does).
    static func opaque(_ image: RGBAImage) -> RGBAImage {
        var out = image
        for index in stride(from: 3, to: out.pixels.count, by: 4) { out.pixels[index] = 255 }
        return out
    }
}
