import TesseraTensor

/// "PLMS": A1111's pseudo linear multistep timestep sampler (`sd_samplers_timesteps_impl.plms`),
/// driven by an eps model over a DDIM timestep plan. The first step is a pseudo improved
/// Euler step (two model calls); later steps combine up to four past eps predictions with
/// Adams–Bashforth weights.
public struct PLMSSampler: Sendable {
    public init() {}

    /// Runs every step of `plan` from `x` and returns the final latent.
    public func sample<M: NoisePredictor>(_ x: Tensor, plan: DDIMTimesteps, model: M, progress: SamplerProgress?) throws -> Tensor {
        var x = x
        var history = [Tensor]()
        for (i, t) in plan.timesteps.enumerated() {
            let alpha = plan.alphasCumprod[i], alphaPrev = plan.alphasCumprodPrevious[i]
            let eps = try checkedEps(model, x, Float(t))
            let blended: Tensor
            switch history.count {
            case 0:
                let (xPrev, _) = Self.step(x, eps: eps, alpha: alpha, alphaPrev: alphaPrev)
                let epsNext = try checkedEps(model, xPrev, Float(plan.previousTimesteps[i]))
                blended = Tensor.weightedSum(eps, 1, epsNext, 1).scaledCopy(by: 0.5)
            case 1:
                blended = Tensor.weightedSum(eps, 3, history[0], -1).scaledCopy(by: 1.0 / 2)
            case 2:
                blended = Tensor.weightedSum(eps, 23, history[1], -16).stepped(along: history[0], by: 5).scaledCopy(by: 1.0 / 12)
            default:
                let n = history.count
                blended = Tensor.weightedSum(eps, 55, history[n - 1], -59)
                    .stepped(along: history[n - 2], by: 37).stepped(along: history[n - 3], by: -9).scaledCopy(by: 1.0 / 24)
            }
            let (xPrev, predictedOriginal) = Self.step(x, eps: blended, alpha: alpha, alphaPrev: alphaPrev)
            history.append(eps)
            if history.count >= 4 { history.removeFirst() }
            try progress?(SamplerStep(index: i, count: plan.timesteps.count, sigma: ((1 - alpha) / alpha).squareRoot(),
                                      x: x, denoised: predictedOriginal))
            x = xPrev
        }
        return x
    }

    /// The deterministic DDIM update with `eps`: (x_prev, predicted x0).
    private static func step(_ x: Tensor, eps: Tensor, alpha: Float, alphaPrev: Float) -> (Tensor, Tensor) {
        let predictedOriginal = Tensor.weightedSum(x, 1 / alpha.squareRoot(), eps, -((1 - alpha).squareRoot() / alpha.squareRoot()))
        return (Tensor.weightedSum(predictedOriginal, alphaPrev.squareRoot(), eps, (1 - alphaPrev).squareRoot()), predictedOriginal)
    }

    private func checkedEps<M: NoisePredictor>(_ model: M, _ x: Tensor, _ t: Float) throws -> Tensor {
        let eps = try model.predictNoise(x, timestep: t)
        guard eps.shape == x.shape else {
            throw SamplingError.mismatch("noise prediction has shape \(eps.shape), latent has \(x.shape)")
        }
        return eps
    }
}
