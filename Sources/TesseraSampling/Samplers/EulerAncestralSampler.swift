import TesseraTensor

/// "Euler a": k-diffusion `sample_euler_ancestral` (step to σ_down, then add σ_up noise).
public struct EulerAncestralSampler: KDiffusionSampler {
    /// Ancestral noise amount (A1111 "Eta for ancestral samplers", default 1).
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
            x = x.stepped(along: d, by: down - sigmas[i])
            if sigmas[i + 1] > 0 {
                let n = try drawNoise(&noise, from: sigmas[i], to: sigmas[i + 1], shape: x.shape)
                x = x.stepped(along: n, by: noiseScale * up)
            }
        }
        return x
    }
}
