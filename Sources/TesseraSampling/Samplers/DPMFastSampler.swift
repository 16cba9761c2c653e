import Foundation
import TesseraTensor

/// "DPM fast": k-diffusion `sample_dpm_fast` (DPM-Solver-Fast, Lu et al. 2022) — `n` model
/// calls spread over ⌊n/3⌋ + 1 uniform steps in t = −log σ of order 3 (the last ones 2 and 1,
/// or n mod 3). A1111 runs it with eta = 1 (`eta_ancestral`), so every step adds image-stream
/// noise; k-diffusion draws a noise tensor on every step even when eta is 0.
///
/// It ignores the sigma schedule except for its ends: `range` (A1111: the model's σ table for
/// txt2img) or, when nil, the schedule's σ_0 and last positive σ; `n` = number of steps.
public struct DPMFastSampler: KDiffusionSampler {
    /// Noise amount (A1111 `eta_ancestral`, default 1).
    public var eta: Float
    /// Noise multiplier (`s_noise`).
    public var noiseScale: Float
    /// The σ range to integrate over; nil takes it from the schedule passed to `sample`.
    public var range: DPMSolverRange?

    /// A DPM fast sampler with A1111's defaults unless overridden.
    public init(eta: Float = 1, noiseScale: Float = 1, range: DPMSolverRange? = nil) {
        self.eta = eta
        self.noiseScale = noiseScale
        self.range = range
    }

    /// The order of each step for `calls` model calls (k-diffusion's split).
    public static func orders(modelCalls calls: Int) -> [Int] {
        let m = calls / 3 + 1
        if calls % 3 == 0 { return [Int](repeating: 3, count: max(m - 2, 0)) + [2, 1] }
        return [Int](repeating: 3, count: m - 1) + [calls % 3]
    }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        let r = try (range ?? DPMSolverRange(schedule: sigmas)).checked()
        let calls = sigmas.count - 1
        let tStart = DPMSolverSteps<D>.time(r.sigmaMax), tEnd = DPMSolverSteps<D>.time(r.sigmaMin)
        guard tEnd > tStart || eta == 0 else {
            throw SamplingError.invalidParameter(name: "eta", problem: "must be 0 for reverse sampling")
        }
        let orders = Self.orders(modelCalls: calls)
        let ts = DiscreteNoiseSchedule.linspaceFloat(start: tStart, end: tEnd, count: calls / 3 + 2)
        var solver = DPMSolverSteps(denoiser: denoiser)
        var x = x
        for (i, order) in orders.enumerated() {
            var cache = DPMSolverSteps<D>.Cache()
            let t = ts[i], tNext = ts[i + 1]
            let (target, up) = DPMSolverSteps<D>.ancestralTarget(from: t, to: tNext, end: tEnd, eta: eta)
            let e = try solver.cachedEps(&cache, x, t)
            let sigma = DPMSolverSteps<D>.sigma(t)
            let denoised = Tensor(shape: x.shape, data: zip(x.data, e.data).map { $0 - sigma * $1 })
            try progress?(SamplerStep(index: i, count: orders.count, sigma: sigma, x: x, denoised: denoised))
            switch order {
            case 1: x = try solver.firstOrder(x, t, target, &cache)
            case 2: x = try solver.secondOrder(x, t, target, r1: 0.5, &cache)
            default: x = try solver.thirdOrder(x, t, target, &cache)
            }
            let n = try drawNoise(&noise, from: sigma, to: DPMSolverSteps<D>.sigma(tNext), shape: x.shape)
            let amount = up * noiseScale
            x = Tensor(shape: x.shape, data: zip(x.data, n.data).map { $0 + amount * $1 })
        }
        return x
    }
}
