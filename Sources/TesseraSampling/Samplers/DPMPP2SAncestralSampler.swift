import Foundation
import TesseraTensor

/// "DPM++ 2S a": k-diffusion `sample_dpmpp_2s_ancestral` (single-step DPM-Solver++(2S) to
/// σ_down with a model call at the log-σ midpoint, then σ_up noise from the image streams).
public struct DPMPP2SAncestralSampler: KDiffusionSampler {
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
            if down == 0 {
                let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i])
                x = x.stepped(along: d, by: down - sigmas[i])
            } else {
                let t = -logf(sigmas[i]), tNext = -logf(down)
                let h = tNext - t
                let s = t + 0.5 * h
                let x2 = Tensor.weightedSum(x, expf(-s) / expf(-t), denoised, -expm1f(-h * 0.5))
                let denoised2 = try checkedDenoise(denoiser, x2, sigma: expf(-s))
                x = Tensor.weightedSum(x, expf(-tNext) / expf(-t), denoised2, -expm1f(-h))
            }
            if sigmas[i + 1] > 0 {
                let n = try drawNoise(&noise, from: sigmas[i], to: sigmas[i + 1], shape: x.shape)
                x = x.stepped(along: n, by: noiseScale * up)
            }
        }
        return x
    }
}
