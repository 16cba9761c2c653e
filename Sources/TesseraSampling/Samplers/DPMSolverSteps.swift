import Foundation
import TesseraTensor

/// k-diffusion's `DPMSolver` building blocks (t = −log σ), shared by "DPM fast" and
/// "DPM adaptive": eps from the denoiser and the first-, second- and third-order steps, with
/// k-diffusion's float32 operation order and its per-step eps cache.
struct DPMSolverSteps<D: Denoiser> {
    let denoiser: D

    init(denoiser: D) { self.denoiser = denoiser }

    static func sigma(_ t: Float) -> Float { expf(-t) }
    static func time(_ sigma: Float) -> Float { -logf(sigma) }

    /// The eps values of one step, keyed as k-diffusion keys them.
    struct Cache {
        var eps: Tensor?
        var epsR1: Tensor?
        var epsR2: Tensor?
    }

    /// `(x − D(x, σ(t))) / σ(t)`.
    func eps(_ x: Tensor, _ t: Float) throws -> Tensor {
        let sigma = Self.sigma(t)
        let denoised = try denoiser.denoise(x, sigma: sigma)
        guard denoised.shape == x.shape else {
            throw SamplingError.mismatch("denoiser returned shape \(denoised.shape) for a latent of shape \(x.shape)")
        }
        return Tensor(shape: x.shape, data: zip(x.data, denoised.data).map { ($0 - $1) / sigma })
    }

    mutating func cachedEps(_ cache: inout Cache, _ x: Tensor, _ t: Float) throws -> Tensor {
        if let e = cache.eps { return e }
        let e = try eps(x, t)
        cache.eps = e
        return e
    }

    mutating func firstOrder(_ x: Tensor, _ t: Float, _ tNext: Float, _ cache: inout Cache) throws -> Tensor {
        let h = tNext - t
        let e = try cachedEps(&cache, x, t)
        let a = Self.sigma(tNext) * expm1f(h)
        return Tensor(shape: x.shape, data: zip(x.data, e.data).map { $0 - a * $1 })
    }

    mutating func secondOrder(_ x: Tensor, _ t: Float, _ tNext: Float, r1: Double, _ cache: inout Cache) throws -> Tensor {
        let h = tNext - t
        let e = try cachedEps(&cache, x, t)
        let s1 = t + Float(r1) * h
        let a1 = Self.sigma(s1) * expm1f(Float(r1) * h)
        let u1 = Tensor(shape: x.shape, data: zip(x.data, e.data).map { $0 - a1 * $1 })
        let e1: Tensor
        if let cached = cache.epsR1 { e1 = cached } else { e1 = try eps(u1, s1); cache.epsR1 = e1 }
        let a = Self.sigma(tNext) * expm1f(h)
        let b = Self.sigma(tNext) / Float(2 * r1) * expm1f(h)
        var out = x
        for i in 0..<out.count { out.data[i] = x.data[i] - a * e.data[i] - b * (e1.data[i] - e.data[i]) }
        return out
    }

    mutating func thirdOrder(_ x: Tensor, _ t: Float, _ tNext: Float, _ cache: inout Cache) throws -> Tensor {
        let r1 = 1.0 / 3.0, r2 = 2.0 / 3.0
        let h = tNext - t
        let e = try cachedEps(&cache, x, t)
        let s1 = t + Float(r1) * h, s2 = t + Float(r2) * h
        let a1 = Self.sigma(s1) * expm1f(Float(r1) * h)
        let u1 = Tensor(shape: x.shape, data: zip(x.data, e.data).map { $0 - a1 * $1 })
        let e1: Tensor
        if let cached = cache.epsR1 { e1 = cached } else { e1 = try eps(u1, s1); cache.epsR1 = e1 }
        let r2h = Float(r2) * h
        let a2 = Self.sigma(s2) * expm1f(r2h)
        let b2 = Self.sigma(s2) * Float(r2 / r1) * (expm1f(r2h) / r2h - 1)
        var u2 = x
        for i in 0..<u2.count { u2.data[i] = x.data[i] - a2 * e.data[i] - b2 * (e1.data[i] - e.data[i]) }
        let e2: Tensor
        if let cached = cache.epsR2 { e2 = cached } else { e2 = try eps(u2, s2); cache.epsR2 = e2 }
        let a = Self.sigma(tNext) * expm1f(h)
        let b = Self.sigma(tNext) / Float(r2) * (expm1f(h) / h - 1)
        var out = x
        for i in 0..<out.count { out.data[i] = x.data[i] - a * e.data[i] - b * (e2.data[i] - e.data[i]) }
        return out
    }

    /// The ancestral split of a step for eta > 0 (`get_ancestral_step` then k-diffusion's
    /// re-derived σ_up): the deterministic target time and the noise amount.
    static func ancestralTarget(from t: Float, to tNext: Float, end: Float, eta: Float) -> (target: Float, up: Float) {
        guard eta != 0 else { return (tNext, 0) }
        let (down, _) = ancestralStep(from: sigma(t), to: sigma(tNext), eta: eta)
        let target = min(end, time(down))
        let sNext = sigma(tNext), sTarget = sigma(target)
        return (target, (sNext * sNext - sTarget * sTarget).squareRoot())
    }
}

/// Where DPM fast / DPM adaptive integrate from and to, as A1111 passes them: the model's
/// σ table ends for txt2img, the sliced schedule's σ_0 and last positive σ for img2img.
public struct DPMSolverRange: Sendable, Equatable {
    /// Lower end (must be > 0).
    public var sigmaMin: Float
    /// Upper end.
    public var sigmaMax: Float

    /// A range.
    public init(sigmaMin: Float, sigmaMax: Float) {
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
    }

    /// A1111's img2img choice from a (sliced) schedule ending in 0: σ_0 and σ_{n−1}.
    public init(schedule sigmas: [Float]) throws {
        guard sigmas.count >= 2 else {
            throw SamplingError.invalidParameter(name: "sigmas", problem: "need at least 2 values (one step), got \(sigmas.count)")
        }
        self.init(sigmaMin: sigmas[sigmas.count - 2], sigmaMax: sigmas[0])
    }

    func checked() throws -> DPMSolverRange {
        guard sigmaMin > 0, sigmaMax > 0, sigmaMin.isFinite, sigmaMax.isFinite else {
            throw SamplingError.invalidParameter(name: "sigma_min/sigma_max", problem: "must not be 0 (got \(sigmaMin), \(sigmaMax))")
        }
        return self
    }
}
