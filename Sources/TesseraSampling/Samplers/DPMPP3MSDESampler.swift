import Foundation
import TesseraTensor

/// "DPM++ 3M SDE": k-diffusion `sample_dpmpp_3m_sde` (third-order multistep with SDE noise;
/// one model call and one Brownian draw per step; the step to σ = 0 returns the denoised
/// estimate). A1111 builds its schedule with the penultimate sigma discarded.
public struct DPMPP3MSDESampler: KDiffusionSampler {
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
        var denoised1: Tensor?, denoised2: Tensor?
        var h: Float?, h1: Float?, h2: Float?
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            if sigmas[i + 1] == 0 {
                x = denoised
            } else {
                let t = -logf(sigmas[i]), s = -logf(sigmas[i + 1])
                let step = s - t
                h = step
                let hEta = step * (eta + 1)
                x = Tensor.weightedSum(x, expf(-hEta), denoised, -expm1f(-hEta))
                let phi2 = expm1f(-hEta) / hEta + 1
                if let last = h1, let beforeLast = h2, let d1Prev = denoised1, let d2Prev = denoised2 {
                    let r0 = last / step, r1 = beforeLast / step
                    let d10 = Tensor.weightedSum(denoised, 1 / r0, d1Prev, -1 / r0)
                    let d11 = Tensor.weightedSum(d1Prev, 1 / r1, d2Prev, -1 / r1)
                    let spread = Tensor.weightedSum(d10, 1, d11, -1)
                    let d1 = d10.stepped(along: spread, by: r0 / (r0 + r1))
                    let d2 = spread.scaledCopy(by: 1 / (r0 + r1))
                    let phi3 = phi2 / hEta - 0.5
                    x = x.stepped(along: d1, by: phi2).stepped(along: d2, by: -phi3)
                } else if let last = h1, let d1Prev = denoised1 {
                    let r = last / step
                    let d = Tensor.weightedSum(denoised, 1 / r, d1Prev, -1 / r)
                    x = x.stepped(along: d, by: phi2)
                }
                if eta != 0 {
                    let n = try drawNoise(&noise, from: sigmas[i], to: sigmas[i + 1], shape: x.shape)
                    x = x.stepped(along: n, by: sigmas[i + 1] * (-expm1f(-2 * step * eta)).squareRoot() * noiseScale)
                }
            }
            denoised2 = denoised1
            denoised1 = denoised
            h2 = h1
            h1 = h
        }
        return x
    }
}
