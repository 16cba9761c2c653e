extension RGBAImage {
    /// The image composited over an opaque colour, as A1111 does before img2img and
    /// upscaling (`images.flatten`: Pillow `alpha_composite` onto the background, then RGB).
    /// Uses Pillow's integer arithmetic, so results match it bit for bit; alpha becomes 255.
    public func flattened(onto background: (r: UInt8, g: UInt8, b: UInt8) = (255, 255, 255)) -> RGBAImage {
        // Pillow works with 7 extra bits of precision and rounded divisions by 255.
        let precisionBits: UInt32 = 7
        func divideBy255(_ value: UInt32) -> UInt32 { ((value >> 8) + value) >> 8 }
        var out = pixels
        let back = [UInt32(background.r), UInt32(background.g), UInt32(background.b)]
        out.withUnsafeMutableBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                let alpha = UInt32(buffer[index + 3])
                if alpha == 0 {
                    for channel in 0..<3 { buffer[index + channel] = UInt8(back[channel]) }
                } else {
                    // The background is opaque, so Pillow's output alpha term is 255·255.
                    let outAlpha255 = alpha * 255 + 255 * (255 - alpha)
                    let sourceCoefficient = alpha * 255 * 255 * (1 << precisionBits) / outAlpha255
                    let backgroundCoefficient = 255 * (1 << precisionBits) - sourceCoefficient
                    for channel in 0..<3 {
                        let mixed = UInt32(buffer[index + channel]) * sourceCoefficient + back[channel] * backgroundCoefficient
                        buffer[index + channel] = UInt8(divideBy255(mixed + (0x80 << precisionBits)) >> precisionBits)
                    }
                }
                buffer[index + 3] = 255
                index += 4
            }
        }
        return RGBAImage(uncheckedWidth: width, height: height, pixels: out)
    }
}
