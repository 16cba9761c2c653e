import Foundation
import TesseraTensor

/// "DPM++ 2M SDE" (midpoint) and "DPM++ 2M SDE Heun": k-diffusion `sample_dpmpp_2m_sde`.
/// One model call and one noise draw per step; the step to σ = 0 returns the denoised estimate.
public struct DPMPP2MSDESampler: KDiffusionSampler {
    /// The second-order correction k-diffusion offers.
    public enum Solver: String, Sendable { case midpoint, heun }

    /// Midpoint ("DPM++ 2M SDE") or Heun ("DPM++ 2M SDE Heun") correction.
    public var solver: Solver
    /// Noise amount (default 1).
    public var eta: Float
    /// Noise multiplier (default 1).
    public var noiseScale: Float

    /// A sampler with A1111's defaults unless overridden.
    public init(solver: Solver = .midpoint, eta: Float = 1, noiseScale: Float = 1) {
        self.solver = solver
        self.eta = eta
        self.noiseScale = noiseScale
    }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        var oldDenoised: Tensor?
        var hLast: Float?
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            var h: Float?
            if sigmas[i + 1] == 0 {
                x = denoised
            } else {
                let t = -logf(sigmas[i]), s = -logf(sigmas[i + 1])
                let step = s - t
                let etaH = eta * step
                x = Tensor.weightedSum(x, sigmas[i + 1] / sigmas[i] * expf(-etaH), denoised, -expm1f(-step - etaH))
                if let old = oldDenoised, let last = hLast {
                    let r = last / step
                    let difference = Tensor.weightedSum(denoised, 1, old, -1)
                    let factor: Float
                    switch solver {
                    case .midpoint: factor = 0.5 * -expm1f(-step - etaH) * (1 / r)
                    case .heun: factor = (-expm1f(-step - etaH) / (-step - etaH) + 1) * (1 / r)
                    }
                    x = x.stepped(along: difference, by: factor)
                }
                if eta != 0 {
                    let n = try drawNoise(&noise, from: sigmas[i], to: sigmas[i + 1], shape: x.shape)
                    x = x.stepped(along: n, by: sigmas[i + 1] * (-expm1f(-2 * etaH)).squareRoot() * noiseScale)
                }
                h = step
            }
            oldDenoised = denoised
            hLast = h
        }
        return x
    }
}
