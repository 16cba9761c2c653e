import TesseraTensor

/// What a sampler reports after each step (k-diffusion's callback, A1111's progress).
public struct SamplerStep: Sendable {
    /// Step index, from 0.
    public let index: Int
    /// Number of steps in this run.
    public let count: Int
    /// Noise level at the start of the step.
    public let sigma: Float
    /// Latent at the start of the step (k-diffusion passes the pre-step `x`).
    public let x: Tensor
    /// The (first) denoised estimate of this step.
    public let denoised: Tensor
}

/// Called once per sampler step. Throwing from it stops sampling and the error propagates
/// out of `sample` (how a worker cancels a job between steps).
public typealias SamplerProgress = (SamplerStep) throws -> Void

/// A sampler over a sigma schedule and one `Denoiser` (k-diffusion's `sample_*` functions).
public protocol KDiffusionSampler: Sendable {
    /// Runs `sigmas.count − 1` steps from `x` (already noised to `sigmas[0]`) and returns the
    /// final latent. `noise` is only consulted by stochastic samplers.
    func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                               noise: inout N, progress: SamplerProgress?) throws -> Tensor
}

extension KDiffusionSampler {
    func checkSchedule(_ sigmas: [Float]) throws {
        guard sigmas.count >= 2 else {
            throw SamplingError.invalidParameter(name: "sigmas", problem: "need at least 2 values (one step), got \(sigmas.count)")
        }
        guard sigmas.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw SamplingError.invalidParameter(name: "sigmas", problem: "must be finite and non-negative")
        }
    }

    func checkedDenoise<D: Denoiser>(_ denoiser: D, _ x: Tensor, sigma: Float) throws -> Tensor {
        let out = try denoiser.denoise(x, sigma: sigma)
        guard out.shape == x.shape else {
            throw SamplingError.mismatch("denoiser returned shape \(out.shape) for a latent of shape \(x.shape)")
        }
        return out
    }
}

/// k-diffusion `get_ancestral_step`: the deterministic target σ_down and the noise σ_up.
func ancestralStep(from sigma: Float, to sigmaNext: Float, eta: Float) -> (down: Float, up: Float) {
    if eta == 0 { return (sigmaNext, 0) }
    let up = min(sigmaNext, eta * (sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma)).squareRoot())
    return ((sigmaNext * sigmaNext - up * up).squareRoot(), up)
}

/// One draw from a noise sampler, checked to have the latent's shape.
func drawNoise<N: NoiseSampler>(_ noise: inout N, from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
    let n = try noise.noise(from: sigma, to: sigmaNext, shape: shape)
    guard n.shape == shape else {
        throw SamplingError.mismatch("noise sampler returned shape \(n.shape) for a latent of shape \(shape)")
    }
    return n
}
