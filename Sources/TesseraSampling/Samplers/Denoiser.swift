import TesseraTensor

/// The model as k-diffusion samplers see it: the estimate of the clean latent (x0) for a
/// noisy latent `x` at noise level `sigma` (classifier-free guidance already applied).
///
/// Every k-diffusion sampler in Tessera drives exactly one of these; plug a UNet in through
/// `CompVisDenoiser` (+ `GuidedNoisePredictor` for CFG), or replay recorded outputs in tests.
public protocol Denoiser {
    /// x0 estimate for `x` (any batch size) at `sigma`.
    func denoise(_ x: Tensor, sigma: Float) throws -> Tensor
}

/// A `Denoiser` from a closure.
public struct ClosureDenoiser: Denoiser {
    private let body: (Tensor, Float) throws -> Tensor
    /// Wraps `body(x, sigma) -> denoised`.
    public init(_ body: @escaping (Tensor, Float) throws -> Tensor) { self.body = body }
    public func denoise(_ x: Tensor, sigma: Float) throws -> Tensor { try body(x, sigma) }
}

/// An epsilon-prediction model in DDPM space: the noise in `x` at a (possibly fractional)
/// training timestep. A UNet plus CFG is one of these; DDIM drives it directly.
public protocol NoisePredictor {
    /// Predicted noise for `x` (already scaled as the model expects) at `timestep`.
    func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor
}

/// A `NoisePredictor` from a closure.
public struct ClosureNoisePredictor: NoisePredictor {
    private let body: (Tensor, Float) throws -> Tensor
    /// Wraps `body(x, timestep) -> eps`.
    public init(_ body: @escaping (Tensor, Float) throws -> Tensor) { self.body = body }
    public func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor { try body(x, timestep) }
}

/// k-diffusion's `CompVisDenoiser` for eps models: `eps = model(x / √(σ²+1), t(σ))`,
/// `denoised = x − σ·eps`, with `t(σ)` the log-sigma-interpolated timestep (A1111 default,
/// no quantization).
public struct CompVisDenoiser<Model: NoisePredictor>: Denoiser {
    /// The eps model (typically a `GuidedNoisePredictor`).
    public let model: Model
    /// The training schedule giving σ ↔ t.
    public let schedule: DiscreteNoiseSchedule
    /// Round t to the nearest training step (A1111 `enable_quantization`).
    public let quantize: Bool

    /// Wraps an eps model; A1111 defaults: SD schedule, no quantization.
    public init(model: Model, schedule: DiscreteNoiseSchedule = .stableDiffusion, quantize: Bool = false) {
        self.model = model
        self.schedule = schedule
        self.quantize = quantize
    }

    public func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        let cIn = 1 / (sigma * sigma + 1).squareRoot()
        let eps = try model.predictNoise(x.scaledCopy(by: cIn), timestep: schedule.timestep(forSigma: sigma, quantize: quantize))
        guard eps.shape == x.shape else {
            throw SamplingError.mismatch("noise prediction has shape \(eps.shape), latent has \(x.shape)")
        }
        return Tensor.weightedSum(x, 1, eps, -sigma)
    }
}
