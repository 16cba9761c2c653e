import TesseraTensor

/// "LMS": k-diffusion `sample_lms` (linear multistep of order up to 4 in σ). The Lagrange
/// coefficients are polynomials of degree < 4, so 4-point Gauss–Legendre integrates them
/// exactly where k-diffusion calls scipy's adaptive `quad`.
public struct LMSSampler: KDiffusionSampler {
    /// Highest multistep order (k-diffusion default 4).
    public var order: Int

    /// An LMS sampler of the given maximum order.
    public init(order: Int = 4) { self.order = order }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        guard order >= 1 else { throw SamplingError.invalidParameter(name: "LMS order", problem: "must be at least 1, got \(order)") }
        let nodes = sigmas.map(Double.init)
        var x = x
        var history = [Tensor]()
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            history.append(Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i]))
            if history.count > order { history.removeFirst() }
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            let currentOrder = min(i + 1, order)
            for j in 0..<currentOrder {
                let coefficient = Self.coefficient(order: currentOrder, nodes: nodes, i: i, j: j)
                x = x.stepped(along: history[history.count - 1 - j], by: Float(coefficient))
            }
        }
        return x
    }

    /// ∫_{σ_i}^{σ_{i+1}} ℓ_j(τ) dτ for the Lagrange basis over σ_i, σ_{i−1}, …
    public static func coefficient(order: Int, nodes t: [Double], i: Int, j: Int) -> Double {
        func basis(_ tau: Double) -> Double {
            var product = 1.0
            for k in 0..<order where k != j {
                product *= (tau - t[i - k]) / (t[i - j] - t[i - k])
            }
            return product
        }
        let a = t[i], b = t[i + 1]
        let points: [(Double, Double)] = [(-0.861136311594053, 0.347854845137454), (-0.339981043584856, 0.652145154862546),
                                          (0.339981043584856, 0.652145154862546), (0.861136311594053, 0.347854845137454)]
        let half = (b - a) / 2, centre = (a + b) / 2
        return points.reduce(0) { $0 + $1.1 * basis(centre + half * $1.0) } * half
    }
}
