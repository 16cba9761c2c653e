import Foundation
import TesseraTensor

/// "DPM++ SDE": k-diffusion `sample_dpmpp_sde` (stochastic DPM-Solver++ with a midpoint
/// model call; two model calls and two noise draws per step, Euler for the step to σ = 0).
/// A1111 feeds it Brownian-tree noise seeded by the image seeds.
public struct DPMPPSDESampler: KDiffusionSampler {
    /// Noise amount (default 1).
    public var eta: Float
    /// Noise multiplier (default 1).
    public var noiseScale: Float
    /// Position of the intermediate point in t (default 1/2).
    public var r: Float

    /// A sampler with k-diffusion's defaults unless overridden.
    public init(eta: Float = 1, noiseScale: Float = 1, r: Float = 0.5) {
        self.eta = eta
        self.noiseScale = noiseScale
        self.r = r
    }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        let sigmaFn = { (t: Float) in expf(-t) }
        let tFn = { (sigma: Float) in -logf(sigma) }
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            if sigmas[i + 1] == 0 {
                let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i])
                x = x.stepped(along: d, by: sigmas[i + 1] - sigmas[i])
                continue
            }
            let t = tFn(sigmas[i]), tNext = tFn(sigmas[i + 1])
            let h = tNext - t
            let s = t + h * r
            let fac = 1 / (2 * r)

            // Stage 1: to the intermediate point s.
            let (down1, up1) = ancestralStep(from: sigmaFn(t), to: sigmaFn(s), eta: eta)
            let s1 = tFn(down1)
            var x2 = Tensor.weightedSum(x, sigmaFn(s1) / sigmaFn(t), denoised, -expm1f(t - s1))
            let n1 = try drawNoise(&noise, from: sigmaFn(t), to: sigmaFn(s), shape: x.shape)
            x2 = x2.stepped(along: n1, by: noiseScale * up1)
            let denoised2 = try checkedDenoise(denoiser, x2, sigma: sigmaFn(s))

            // Stage 2: the full step with the blended estimate.
            let (down2, up2) = ancestralStep(from: sigmaFn(t), to: sigmaFn(tNext), eta: eta)
            let tNext2 = tFn(down2)
            let blended = Tensor.weightedSum(denoised, 1 - fac, denoised2, fac)
            x = Tensor.weightedSum(x, sigmaFn(tNext2) / sigmaFn(t), blended, -expm1f(t - tNext2))
            let n2 = try drawNoise(&noise, from: sigmaFn(t), to: sigmaFn(tNext), shape: x.shape)
            x = x.stepped(along: n2, by: noiseScale * up2)
        }
        return x
    }
}
