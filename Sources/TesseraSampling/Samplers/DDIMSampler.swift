import TesseraTensor

/// "DDIM": the timestep sampler (diffusers `DDIMScheduler.step`, same formula as LDM/A1111),
/// driven by an eps model at integer timesteps. `eta` 0 is deterministic; eta > 0 adds
/// `eta·√variance` noise per step from the noise sampler.
public struct DDIMSampler: Sendable {
    /// A1111 "Eta for DDIM" (`eta_ddim`, default 0).
    public var eta: Float

    /// DDIM with the given eta (A1111 default 0).
    public init(eta: Float = 0) { self.eta = eta }

    /// Runs every step of `plan` from `x` (pure noise × 1 for txt2img) and returns the final latent.
    /// The progress step's `sigma` is the DDPM σ of the step's timestep and `denoised` its x0 estimate.
    public func sample<M: NoisePredictor, N: NoiseSampler>(_ x: Tensor, plan: DDIMTimesteps, model: M,
                                                            noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        var x = x
        for (i, t) in plan.timesteps.enumerated() {
            let eps = try model.predictNoise(x, timestep: Float(t))
            guard eps.shape == x.shape else {
                throw SamplingError.mismatch("noise prediction has shape \(eps.shape), latent has \(x.shape)")
            }
            let alpha = plan.alphasCumprod[i], alphaPrev = plan.alphasCumprodPrevious[i]
            let beta = 1 - alpha
            let predictedOriginal = Tensor.weightedSum(x, 1 / alpha.squareRoot(), eps, -(beta.squareRoot() / alpha.squareRoot()))
            try progress?(SamplerStep(index: i, count: plan.timesteps.count, sigma: (beta / alpha).squareRoot(), x: x, denoised: predictedOriginal))
            let variance = ((1 - alphaPrev) / beta) * (1 - alpha / alphaPrev)
            let std = eta * variance.squareRoot()
            x = Self.combineStep(predictedOriginal: predictedOriginal, eps: eps, alphaPrev: alphaPrev, std: std)
            if eta > 0 {
                let n = try drawNoise(&noise, from: (beta / alpha).squareRoot(), to: ((1 - alphaPrev) / alphaPrev).squareRoot(), shape: x.shape)
                x = x.stepped(along: n, by: std)
            }
        }
        return x
    }

    /// `√ᾱ_prev · x0 + √(1 − ᾱ_prev − std²) · eps`, evaluated in diffusers' order.
    private static func combineStep(predictedOriginal: Tensor, eps: Tensor, alphaPrev: Float, std: Float) -> Tensor {
        let direction = (1 - alphaPrev - std * std).squareRoot()
        return Tensor.weightedSum(predictedOriginal, alphaPrev.squareRoot(), eps, direction)
    }
}
