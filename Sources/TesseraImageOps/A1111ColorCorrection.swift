import TesseraImaging

/// A1111's img2img colour correction (`img2img_color_correction`, spec §3.8): calibrated on the
/// init image as prepared for sampling, it histogram-matches each CIELAB channel of a
/// generated image to the calibration, converts back to RGB, and keeps the generated image's
/// luminosity over the matched colours (luminosity blend).
public struct A1111ColorCorrection: Sendable, Equatable {
    /// The calibration image's L, a, b planes (OpenCV 8-bit LAB).
    public let calibration: [[UInt8]]

    public init(calibration image: RGBAImage) throws {
        guard image.width > 0, image.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "colour correction", problem: "the calibration image is empty")
        }
        calibration = Self.labPlanes(image)
    }

    /// The corrected copy of `generated` (any size; alpha ignored, output opaque).
    public func apply(to generated: RGBAImage) throws -> RGBAImage {
        let planes = Self.labPlanes(generated)
        let matched = (0..<3).map { HistogramMatching.match(planes[$0], to: calibration[$0]) }
        var recoloured = generated
        for p in 0..<(generated.width * generated.height) {
            let (r, g, b) = OpenCVLab8Bit.rgb(l: matched[0][p], a: matched[1][p], b: matched[2][p])
            recoloured.pixels[p * 4] = r
            recoloured.pixels[p * 4 + 1] = g
            recoloured.pixels[p * 4 + 2] = b
            recoloured.pixels[p * 4 + 3] = 255
        }
        return try LuminosityBlend.blend(background: recoloured, foreground: generated)
    }

    private static func labPlanes(_ image: RGBAImage) -> [[UInt8]] {
        let count = image.width * image.height
        var planes = [[UInt8]](repeating: [UInt8](repeating: 0, count: count), count: 3)
        for p in 0..<count {
            let (l, a, b) = OpenCVLab8Bit.lab(r: image.pixels[p * 4], g: image.pixels[p * 4 + 1], b: image.pixels[p * 4 + 2])
            planes[0][p] = l
            planes[1][p] = a
            planes[2][p] = b
        }
        return planes
    }
}
