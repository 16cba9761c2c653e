import Foundation

/// The per-tile Gaussian of Mixture of Diffusers (spec §7.3), with the reference implementation's quirks kept:
/// the y midpoint is `th/2` (not `(th−1)/2`) and the y axis is normalised by `tw²` too. Computed in double
/// precision and rounded to Float32 once, as numpy → torch.float32 does.
public enum MixtureOfDiffusersWeights {
    /// The variance of the reference implementation.
    public static let variance = 0.01

    /// Row-major `[th × tw]` weights `g(j, i) = gy(j)·gx(i)`.
    public static func gaussian(tileWidth tw: Int, tileHeight th: Int) -> [Float] {
        let norm = (2 * Double.pi * variance).squareRoot()
        let tw2 = Double(tw * tw)
        let xMid = Double(tw - 1) / 2, yMid = Double(th) / 2
        let gx = (0..<tw).map { i -> Double in
            let d = Double(i) - xMid
            return exp(-d * d / tw2 / (2 * variance)) / norm
        }
        let gy = (0..<th).map { j -> Double in
            let d = Double(j) - yMid
            return exp(-d * d / tw2 / (2 * variance)) / norm
        }
        var out = [Float](repeating: 0, count: tw * th)
        for j in 0..<th { for i in 0..<tw { out[j * tw + i] = Float(gy[j] * gx[i]) } }
        return out
    }
}
