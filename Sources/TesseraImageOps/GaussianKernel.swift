import Foundation

/// OpenCV's `getGaussianKernel` for σ > 0 and the size rule of `GaussianBlur` with ksize (0,0).
enum GaussianKernel {
    /// Normalised taps of a `size`-tap Gaussian with standard deviation `sigma`.
    static func taps(size: Int, sigma: Double) -> [Float] {
        let centre = Double(size - 1) / 2
        let scale = -0.5 / (sigma * sigma)
        let raw = (0..<size).map { exp(scale * (Double($0) - centre) * (Double($0) - centre)) }
        let total = raw.reduce(0, +)
        return raw.map { Float($0 / total) }
    }

    /// OpenCV's automatic size for float images when ksize is (0,0): `round(σ·4·2 + 1) | 1`
    /// (8-bit images use 3 instead of 4).
    static func automaticFloatSize(sigma: Double) -> Int {
        Int((sigma * 4 * 2 + 1).rounded()) | 1
    }

    /// `cv2.GaussianBlur(float32 plane, (0,0), σ)` (reflect-101 border).
    static func blur(_ plane: FloatPlane, sigma: Double) -> FloatPlane {
        let taps = taps(size: automaticFloatSize(sigma: sigma), sigma: sigma)
        return SeparableFilter.vertical(SeparableFilter.horizontal(plane, kernel: taps, border: .reflect101),
                                        kernel: taps, border: .reflect101)
    }
}
