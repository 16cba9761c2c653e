import TesseraImaging

/// ControlNet's `high_quality_resize` of a control map (RGB): nearest for maps with 3…199
/// colours, INTER_AREA when the area shrinks, INTER_CUBIC otherwise; binary maps (2 colours,
/// min < 16, max > 240) are re-binarised with Otsu after resizing, and one-pixel edge maps are
/// NMS-thinned first so edges stay one pixel wide.
public enum ControlMapResize {
    public static func resize(_ map: RGBAImage, width: Int, height: Int) throws -> RGBAImage {
        let source = PillowPixelMath.opaque(map)
        if source.width == width && source.height == height { return source }
        let smaller = width * height < source.width * source.height
        let bigger = width * height > source.width * source.height
        let colours = uniqueColourCount(source, limit: 200)
        var isBinary = false, isOnePixelEdge = false
        if colours == 2 {
            var minimum: UInt8 = 255, maximum: UInt8 = 0
            for index in 0..<source.pixels.count where index % 4 != 3 {
                minimum = min(minimum, source.pixels[index])
                maximum = max(maximum, source.pixels[index])
            }
            isBinary = minimum < 16 && maximum > 240
            if isBinary { isOnePixelEdge = onePixelEdgeTest(source) }
        }
        let interpolation: OpenCVResize.Interpolation = (colours > 2 && colours < 200) ? .nearest : smaller ? .area : .cubic
        let resized = try OpenCVResize.resize(source, width: width, height: height, interpolation: interpolation)
        guard isBinary else { return resized }
        // mean over channels (float32), truncated to uint8
        var mean = GreyImage(width: width, height: height)
        for pixel in 0..<mean.pixels.count {
            let sum = Float(resized.pixels[pixel * 4]) + Float(resized.pixels[pixel * 4 + 1]) + Float(resized.pixels[pixel * 4 + 2])
            mean.pixels[pixel] = UInt8(max(0, min(255, sum / 3)))
        }
        let binary: GreyImage
        if isOnePixelEdge {
            binary = EdgeThinning.thinned(EdgeThinning.otsuBinarised(EdgeThinning.nakedNMS(mean)), prune: bigger)
        } else {
            binary = EdgeThinning.otsuBinarised(mean)
        }
        return binary.rgba
    }

    /// Distinct RGB triples, counting stops at `limit`.
    static func uniqueColourCount(_ image: RGBAImage, limit: Int) -> Int {
        var seen = Set<UInt32>()
        for index in stride(from: 0, to: image.pixels.count, by: 4) {
            seen.insert(UInt32(image.pixels[index]) << 16 | UInt32(image.pixels[index + 1]) << 8 | UInt32(image.pixels[index + 2]))
            if seen.count >= limit { break }
        }
        return seen.count
    }

    /// The extension's test: after a 3×3 erosion and dilation (opening), more than half of the
    /// bright samples disappear.
    static func onePixelEdgeTest(_ image: RGBAImage) -> Bool {
        let w = image.width, h = image.height
        func morph(_ samples: [UInt8], erode: Bool) -> [UInt8] {
            var out = samples
            for y in 0..<h {
                for x in 0..<w {
                    for channel in 0..<3 {
                        var value: UInt8 = erode ? 255 : 0
                        for ny in max(0, y - 1)...min(h - 1, y + 1) {
                            for nx in max(0, x - 1)...min(w - 1, x + 1) {
                                let sample = samples[(ny * w + nx) * 4 + channel]
                                value = erode ? min(value, sample) : max(value, sample)
                            }
                        }
                        out[(y * w + x) * 4 + channel] = value
                    }
                }
            }
            return out
        }
        let opened = morph(morph(image.pixels, erode: true), erode: false)
        var vanished = 0, bright = 0
        for index in 0..<image.pixels.count where index % 4 != 3 {
            if opened[index] < image.pixels[index] { vanished += 1 }
            if image.pixels[index] > 127 { bright += 1 }
        }
        return vanished * 2 > bright
    }
}
