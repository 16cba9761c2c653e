import TesseraTensor

/// "Heun": k-diffusion `sample_heun` (Euler predictor, trapezoidal corrector; the last step
/// to σ = 0 is plain Euler). Two model calls per step except the last.
public struct HeunSampler: KDiffusionSampler {
    public init() {}

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            let dt = sigmas[i + 1] - sigmas[i]
            if sigmas[i + 1] == 0 {
                x = x.stepped(along: d, by: dt)
            } else {
                let x2 = x.stepped(along: d, by: dt)
                let denoised2 = try checkedDenoise(denoiser, x2, sigma: sigmas[i + 1])
                let d2 = Tensor.derivative(x: x2, denoised: denoised2, sigma: sigmas[i + 1])
                x = x.stepped(along: Tensor.weightedSum(d, 1, d2, 1).scaledCopy(by: 0.5), by: dt)
            }
        }
        return x
    }
}
