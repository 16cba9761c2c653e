import Foundation

/// ControlNet's tile_colorfix(+sharp) UNet post-process, for one batch row of latents
/// (C×H×W planar Float): the x0 prediction keeps its high frequencies and takes its low
/// frequencies (box blur of radius `variation`) from the encoded control image; the noise
/// prediction is then recomputed from that x0 and mixed in with `clamp(weight, 0, 1)`.
public struct TileColorfixPostProcess: Sendable, Equatable {
    public let blur: TileColorfixBlur
    /// Slider "Sharpness" (0…2) of tile_colorfix+sharp; nil for plain tile_colorfix.
    public let sharpness: Double?
    /// The unit's control weight.
    public let weight: Double

    public init(variation: Int, sharpness: Double? = nil, weight: Double) throws {
        blur = try TileColorfixBlur(variation: variation)
        if let sharpness, !(sharpness.isFinite && sharpness >= 0) {
            throw ImageOpsError.invalidParameter(name: "tile_colorfix sharpness", problem: "\(sharpness) must be a finite value ≥ 0")
        }
        guard weight.isFinite else { throw ImageOpsError.invalidParameter(name: "control weight", problem: "\(weight) is not finite") }
        self.sharpness = sharpness
        self.weight = weight
    }

    /// - Parameters:
    ///   - xT: the UNet input (scaled noisy latent); `eps`: its noise prediction; `x0Origin`: the
    ///     VAE-encoded hint ×0.18215; all `channels·height·width` values.
    ///   - alphaBar: ᾱ at the UNet's (rounded) timestep.
    ///   - isUncond: the row belongs to the negative prompt (+sharp blurs those rows' x0 a little).
    /// - Returns: the adjusted noise prediction.
    public func apply(xT: [Float], eps: [Float], x0Origin: [Float], alphaBar: Double, isUncond: Bool,
                      channels: Int, width: Int, height: Int) throws -> [Float] {
        let count = channels * width * height
        for (name, values) in [("x_t", xT), ("eps", eps), ("x0 origin", x0Origin)] where values.count != count {
            throw ImageOpsError.invalidParameter(name: "tile_colorfix \(name)", problem: "\(values.count) values for \(channels)x\(height)x\(width)")
        }
        guard alphaBar > 0, alphaBar < 1 else {
            throw ImageOpsError.invalidParameter(name: "tile_colorfix alpha bar", problem: "\(alphaBar) must lie in (0, 1)")
        }
        let a = Float((1 / alphaBar).squareRoot()), b = Float((1 / alphaBar - 1).squareRoot())
        let x0Prediction = (0..<count).map { a * xT[$0] - b * eps[$0] }
        let predictionLow = try blur.apply(x0Prediction, channels: channels, width: width, height: height)
        let originLow = try blur.apply(x0Origin, channels: channels, width: width, height: height)
        var x0 = (0..<count).map { x0Prediction[$0] - predictionLow[$0] + originLow[$0] }
        if let sharpness, isUncond {
            let dw = Float(sharpness * 0.01)
            let x0Low = try blur.apply(x0, channels: channels, width: width, height: height)
            x0 = (0..<count).map { dw * x0Low[$0] + (1 - dw) * x0[$0] }
        }
        let w = Float(min(max(weight, 0), 1))
        return (0..<count).map { index in
            let recomputed = (a * xT[index] - x0[index]) / b
            return w * recomputed + (1 - w) * eps[index]
        }
    }
}
