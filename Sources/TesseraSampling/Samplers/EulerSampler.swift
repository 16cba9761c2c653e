import TesseraTensor

/// "Euler": k-diffusion `sample_euler` without churn (A1111 defaults s_churn = 0).
public struct EulerSampler: KDiffusionSampler {
    public init() {}

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            x = x.stepped(along: d, by: sigmas[i + 1] - sigmas[i])
        }
        return x
    }
}
