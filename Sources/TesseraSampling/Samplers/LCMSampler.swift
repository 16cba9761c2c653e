import Foundation
import TesseraTensor

/// A1111's LCM denoiser (`LCMCompVisDenoiser`): eps from the model at LCM's integer timestep,
/// the k-diffusion eps → x0 step, then the latent-consistency boundary scalings
/// `c_skip = σ_d²/(τ² + σ_d²)`, `c_out = τ/√(τ² + σ_d²)` with τ = 10·t and σ_d = 0.5.
///
/// CFG can sit inside (a guided eps model): the output is affine in eps with weights that sum
/// to one, so guiding eps equals A1111's guiding of the denoised outputs.
public struct LCMDenoiser<Model: NoisePredictor>: Denoiser {
    /// The eps model (e.g. a `GuidedNoisePredictor`).
    public let model: Model
    /// The thinned schedule giving σ ↔ t.
    public let schedule: LCMSchedule

    /// Wraps an eps model.
    public init(model: Model, schedule: LCMSchedule) {
        self.model = model
        self.schedule = schedule
    }

    public func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        let cIn = 1 / (sigma * sigma + 1).squareRoot()
        let t = schedule.timestep(forSigma: sigma)
        let eps = try model.predictNoise(x.scaledCopy(by: cIn), timestep: t)
        guard eps.shape == x.shape else {
            throw SamplingError.mismatch("noise prediction has shape \(eps.shape), latent has \(x.shape)")
        }
        let scaled = t * 10
        let cSkip = 0.25 / (scaled * scaled + 0.25)
        let cOut = scaled / (scaled * scaled + 0.25).squareRoot()
        var out = x
        for i in 0..<out.count {
            let x0 = x.data[i] + eps.data[i] * -sigma
            out.data[i] = cOut * x0 + cSkip * x.data[i]
        }
        return out
    }
}

/// A1111's "LCM" sampler (`sample_lcm`): each step jumps to the model's x0 estimate and, unless
/// the next σ is 0, re-noises it to the next σ with image-stream noise.
public struct LCMSampler: KDiffusionSampler {
    /// An LCM sampler (no options in A1111).
    public init() {}

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try checkedDenoise(denoiser, x, sigma: sigmas[i])
            try progress?(SamplerStep(index: i, count: sigmas.count - 1, sigma: sigmas[i], x: x, denoised: denoised))
            x = denoised
            if sigmas[i + 1] > 0 {
                let n = try drawNoise(&noise, from: sigmas[i], to: sigmas[i + 1], shape: x.shape)
                x = Tensor(shape: x.shape, data: zip(x.data, n.data).map { $0 + sigmas[i + 1] * $1 })
            }
        }
        return x
    }
}
