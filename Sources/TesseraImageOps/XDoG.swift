import TesseraImaging

/// ControlNet's `scribble_xdog`: difference of Gaussians (σ 0.5 and σ 5.0, OpenCV GaussianBlur
/// with automatic kernel sizes on float RGB), `dog = uint8(clip(255 − min_c(g2 − g1), 0, 255))`,
/// output 255 where `2·(255 − dog) > threshold`, else 0 — with the product computed in uint8
/// as numpy does, so it wraps for `255 − dog ≥ 128` (the extension's real behaviour).
public struct XDoG: Sendable, Equatable {
    public let threshold: Double

    /// "XDoG Threshold" 1…64, default 32.
    public init(threshold: Double = 32) throws {
        guard threshold.isFinite, threshold >= 0 else {
            throw ImageOpsError.invalidParameter(name: "XDoG threshold", problem: "\(threshold) must be a finite value ≥ 0")
        }
        self.threshold = threshold
    }

    public func apply(_ image: RGBAImage) -> GreyImage {
        let w = image.width, h = image.height
        var minimum = [Float](repeating: .infinity, count: w * h)
        for channel in 0..<3 {
            let plane = FloatPlane(GreyImage(channel: channel, of: image))
            let g1 = GaussianKernel.blur(plane, sigma: 0.5)
            let g2 = GaussianKernel.blur(plane, sigma: 5.0)
            for index in 0..<minimum.count { minimum[index] = min(minimum[index], g2.values[index] - g1.values[index]) }
        }
        var out = GreyImage(width: w, height: h)
        for index in 0..<minimum.count {
            // numpy: clip then astype(uint8) truncates.
            let dog = UInt8(max(0, min(255, 255 - minimum[index])))
            let doubled = (255 - dog) &* 2
            out.pixels[index] = Double(doubled) > threshold ? 255 : 0
        }
        return out
    }
}
