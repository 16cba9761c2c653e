import Foundation
import TesseraTensor

/// "DPM++ 2M": k-diffusion `sample_dpmpp_2m` (multistep DPM-Solver++(2M) in t = −ln σ; the
/// first step and the step to σ = 0 are first order).
public struct DPMPP2MSampler: KDiffusionSampler {
    public init() {}

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        var oldDenoised: Tensor?
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            let t = -logf(sigmas[i]), tNext = -logf(sigmas[i + 1])
            let h = tNext - t
            let ratio = expf(-tNext) / expf(-t)
            let coefficient = -expm1f(-h)
            if let old = oldDenoised, sigmas[i + 1] != 0 {
                let hLast = t - -logf(sigmas[i - 1])
                let r = hLast / h
                let blended = Tensor.weightedSum(denoised, 1 + 1 / (2 * r), old, -(1 / (2 * r)))
                x = Tensor.weightedSum(x, ratio, blended, coefficient)
            } else {
                x = Tensor.weightedSum(x, ratio, denoised, coefficient)
            }
            oldDenoised = denoised
        }
        return x
    }
}
