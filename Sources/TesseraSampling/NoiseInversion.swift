import TesseraTensor

/// Tiled Diffusion's "Noise inversion" (img2img with Euler): recover the noise that would
/// have produced the init latent by running Euler backwards, then optionally blend it with
/// fresh noise where the retouch mask asks for it. The model is the (tiled) UNet with the
/// positive prompt only, no CFG.
public enum NoiseInversion {
    /// The inversion loop: over the model's uniform schedule for `steps` steps taken in
    /// ascending order from 0, `eps = model(x·c_in(σ_i), t(σ_i)/retouch)` and
    /// `x ← x + eps·(σ_i − σ_{i−1})`. Returns `x / σ_last`.
    public static func invert<M: NoisePredictor>(initLatent: Tensor, steps: Int, retouch: Float, model: M,
                                                 schedule: DiscreteNoiseSchedule = .stableDiffusion,
                                                 progress: SamplerProgress? = nil) throws -> Tensor {
        guard retouch > 0 else {
            throw SamplingError.invalidParameter(name: "noise inversion retouch", problem: "must be above 0, got \(retouch)")
        }
        let sigmas = Array(try SigmaScheduler.uniform.sigmas(steps: steps, schedule: schedule).reversed())
        var x = initLatent
        for i in 1..<sigmas.count {
            let sigma = sigmas[i]
            let t = schedule.timestep(forSigma: sigma) / retouch
            let eps = try model.predictNoise(x.scaledCopy(by: 1 / (sigma * sigma + 1).squareRoot()), timestep: t)
            guard eps.shape == x.shape else {
                throw SamplingError.mismatch("noise prediction has shape \(eps.shape), latent has \(x.shape)")
            }
            let denoised = Tensor.weightedSum(x, 1, eps, -sigma)
            try progress?(SamplerStep(index: i - 1, count: steps, sigma: sigma, x: x, denoised: denoised))
            x = x.stepped(along: Tensor.derivative(x: x, denoised: denoised, sigma: sigma), by: sigma - sigmas[i - 1])
        }
        return x.scaledCopy(by: 1 / sigmas[sigmas.count - 1])
    }

    /// The noise that img2img starts from so that `init + noise·σ₀` reproduces the inverted
    /// latent: `inverted − init/σ₀`, with σ₀ the first sigma of the img2img schedule.
    public static func inverseNoise(inverted: Tensor, initLatent: Tensor, firstSigma: Float) throws -> Tensor {
        guard inverted.shape == initLatent.shape else {
            throw SamplingError.mismatch("noise inversion: inverted latent \(inverted.shape) vs init latent \(initLatent.shape)")
        }
        guard firstSigma > 0 else {
            throw SamplingError.invalidParameter(name: "first sigma", problem: "must be above 0, got \(firstSigma)")
        }
        return Tensor.weightedSum(inverted, 1, initLatent, -1 / firstSigma)
    }

    /// Renoise mask from the retouch-filtered grayscale image already resized to the latent
    /// grid (values in 0…1): `m = clamp(strength·(1 − filtered), 0, 1)`.
    public static func renoiseMask(filtered: Tensor, strength: Float) -> Tensor {
        Tensor(shape: filtered.shape, data: filtered.data.map { min(max(strength * (1 - $0), 0), 1) })
    }

    /// Blends inverted and fresh noise per element with mask `m`, keeping unit variance:
    /// `((1 − m)·inverse + m·random) / √(m² + (1 − m)²)`. `mask` is `[H, W]` (shared by every
    /// channel and batch row) or the noise's own shape.
    public static func renoise(inverse: Tensor, random: Tensor, mask: Tensor) throws -> Tensor {
        guard inverse.shape == random.shape, inverse.rank >= 2 else {
            throw SamplingError.mismatch("renoise: inverse noise \(inverse.shape) vs random noise \(random.shape)")
        }
        let plane = Array(inverse.shape.suffix(2))
        guard mask.shape == inverse.shape || mask.shape == plane else {
            throw SamplingError.mismatch("renoise: mask shape \(mask.shape) is neither \(plane) nor \(inverse.shape)")
        }
        var out = inverse
        for i in 0..<out.count {
            let m = mask.data[mask.count == out.count ? i : i % mask.count]
            out.data[i] = ((1 - m) * inverse.data[i] + m * random.data[i]) / (m * m + (1 - m) * (1 - m)).squareRoot()
        }
        return out
    }
}
