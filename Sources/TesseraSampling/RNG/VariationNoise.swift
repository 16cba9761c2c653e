import Foundation
import TesseraTensor

/// A1111's variation-seed blending and "Resize seed from" pasting.
public enum VariationNoise {
    /// A1111 `rng.slerp(val, low, high)` on one image's `[C, H, W]` noise. Norms and dot
    /// products run along H (dimension 1), giving one angle per (channel, column), exactly as
    /// A1111 does; when the mean dot product exceeds 0.9995 A1111 falls back to
    /// `low·val + high·(1−val)` (weights as written there).
    public static func slerp(_ val: Float, _ low: Tensor, _ high: Tensor) throws -> Tensor {
        guard low.shape == high.shape, low.rank == 3 else {
            throw SamplingError.mismatch("slerp needs two [C, H, W] tensors of one shape, got \(low.shape) and \(high.shape)")
        }
        let (c, h, w) = (low.shape[0], low.shape[1], low.shape[2])
        func at(_ ci: Int, _ hi: Int, _ wi: Int) -> Int { (ci * h + hi) * w + wi }
        var dots = [Float](repeating: 0, count: c * w)
        for ci in 0..<c {
            for wi in 0..<w {
                var lowNorm: Float = 0, highNorm: Float = 0
                for hi in 0..<h {
                    lowNorm += low.data[at(ci, hi, wi)] * low.data[at(ci, hi, wi)]
                    highNorm += high.data[at(ci, hi, wi)] * high.data[at(ci, hi, wi)]
                }
                lowNorm = lowNorm.squareRoot()
                highNorm = highNorm.squareRoot()
                var dot: Float = 0
                for hi in 0..<h { dot += (low.data[at(ci, hi, wi)] / lowNorm) * (high.data[at(ci, hi, wi)] / highNorm) }
                dots[ci * w + wi] = dot
            }
        }
        var out = low
        if dots.reduce(0, +) / Float(dots.count) > 0.9995 {
            for i in 0..<out.count { out.data[i] = low.data[i] * val + high.data[i] * (1 - val) }
            return out
        }
        for ci in 0..<c {
            for wi in 0..<w {
                let omega = acosf(dots[ci * w + wi])
                let so = sinf(omega)
                let a = sinf((1 - val) * omega) / so, b = sinf(val * omega) / so
                for hi in 0..<h {
                    let i = at(ci, hi, wi)
                    out.data[i] = a * low.data[i] + b * high.data[i]
                }
            }
        }
        return out
    }

    /// Pastes `small` (`[C, h, w]`) centred into `full` (`[C, H, W]`), cropping it centred
    /// where it is larger (A1111 `ImageRNG.first` with "Resize seed from").
    public static func pasteCentred(_ small: Tensor, into full: inout Tensor) {
        let (c, bigH, bigW) = (full.shape[0], full.shape[1], full.shape[2])
        let (smallH, smallW) = (small.shape[1], small.shape[2])
        // Python floor division of possibly negative differences.
        let dx = Int((Double(bigW - smallW) / 2).rounded(.down)), dy = Int((Double(bigH - smallH) / 2).rounded(.down))
        let w = dx >= 0 ? smallW : smallW + 2 * dx
        let h = dy >= 0 ? smallH : smallH + 2 * dy
        let tx = max(dx, 0), ty = max(dy, 0)
        let sx = max(-dx, 0), sy = max(-dy, 0)
        for ci in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    full.data[(ci * bigH + ty + y) * bigW + tx + x] = small.data[(ci * smallH + sy + y) * smallW + sx + x]
                }
            }
        }
    }
}
