import Foundation
import TesseraTensor

/// "DPM2": k-diffusion `sample_dpm_2` (midpoint in log σ; two model calls per step, Euler for
/// the step to σ = 0). A1111 builds its schedule with the penultimate sigma discarded.
public struct DPM2Sampler: KDiffusionSampler {
    public init() {}

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            if sigmas[i + 1] == 0 {
                x = x.stepped(along: d, by: sigmas[i + 1] - sigmas[i])
            } else {
                x = try midpointStep(x, d: d, from: sigmas[i], to: sigmas[i + 1], denoiser: denoiser)
            }
        }
        return x
    }
}

/// "DPM2 a": k-diffusion `sample_dpm_2_ancestral` (DPM2 to σ_down, then σ_up noise).
public struct DPM2AncestralSampler: KDiffusionSampler {
    /// Ancestral noise amount (A1111 "Eta for ancestral samplers", default 1; 0 is deterministic).
    public var eta: Float
    /// Noise multiplier (A1111 s_noise, default 1).
    public var noiseScale: Float

    /// A sampler with A1111's defaults unless overridden.
    public init(eta: Float = 1, noiseScale: Float = 1) {
        self.eta = eta
        self.noiseScale = noiseScale
    }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            let (down, up) = ancestralStep(from: sigmas[i], to: sigmas[i + 1], eta: eta)
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i])
            if down == 0 {
                x = x.stepped(along: d, by: down - sigmas[i])
            } else {
                x = try midpointStep(x, d: d, from: sigmas[i], to: down, denoiser: denoiser)
                let n = try drawNoise(&noise, from: sigmas[i], to: sigmas[i + 1], shape: x.shape)
                x = x.stepped(along: n, by: noiseScale * up)
            }
        }
        return x
    }
}

extension KDiffusionSampler {
    /// DPM-Solver-2's step: derivative at the log-σ midpoint, applied over the whole step.
    func midpointStep<D: Denoiser>(_ x: Tensor, d: Tensor, from sigma: Float, to target: Float, denoiser: D) throws -> Tensor {
        let logSigma = logf(sigma)
        let mid = expf(logSigma + 0.5 * (logf(target) - logSigma))
        let x2 = x.stepped(along: d, by: mid - sigma)
        let denoised2 = try checkedDenoise(denoiser, x2, sigma: mid)
        let d2 = Tensor.derivative(x: x2, denoised: denoised2, sigma: mid)
        return x.stepped(along: d2, by: target - sigma)
    }
}
