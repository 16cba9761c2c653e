import Foundation
import TesseraTensor

/// A1111's "Restart" (`sd_samplers_extra.restart_sampler`, Xu et al. 2023): Heun steps over
/// the schedule, plus — for 20 or more steps — restart loops that jump from σ ≈ 0.1 back up
/// to σ ≈ 2 with fresh noise and descend again.
///
/// A1111's automatic choice, kept exactly: with n ≥ 20 steps it re-makes the schedule as
/// Karras over [σ_{n−1}, σ_0] with n − r·k steps and inserts k restarts of r + 1 Karras
/// sigmas, r = 9, k = 1 (n ≥ 36: r = n / 4, k = 2); below 20 steps it is plain Heun with
/// Euler for the step to 0. The restart noise comes from the image streams (ENSD applies).
public struct RestartSampler: KDiffusionSampler {
    /// Noise multiplier (`s_noise`, default 1).
    public var noiseScale: Float

    /// A Restart sampler (A1111 passes no options).
    public init(noiseScale: Float = 1) {
        self.noiseScale = noiseScale
    }

    /// The (σ, σ') pairs A1111 walks for a given schedule, restart segments included.
    public static func stepList(for sigmas: [Float]) throws -> [(Float, Float)] {
        let steps = sigmas.count - 1
        var schedule = sigmas
        var restart: (index: Int, steps: Int, times: Int, maxSigma: Float)?
        if steps >= 20 {
            var restartSteps = 9, restartTimes = 1
            if steps >= 36 {
                restartSteps = steps / 4
                restartTimes = 2
            }
            schedule = try SigmaScheduler.karras.sigmas(steps: steps - restartSteps * restartTimes,
                                                        sigmaMin: sigmas[sigmas.count - 2], sigmaMax: sigmas[0])
            restart = (nearestIndex(schedule, to: 0.1), restartSteps + 1, restartTimes, 2)
        }
        var pairs = [(Float, Float)]()
        for i in 0..<(schedule.count - 1) {
            pairs.append((schedule[i], schedule[i + 1]))
            guard let r = restart, r.index == i + 1 else { continue }
            let maxIndex = nearestIndex(schedule, to: r.maxSigma)
            guard maxIndex < r.index else { continue }
            let segment = Array(try SigmaScheduler.karras.sigmas(steps: r.steps, sigmaMin: schedule[r.index],
                                                                 sigmaMax: schedule[maxIndex]).dropLast())
            for _ in 0..<r.times {
                for j in 0..<(segment.count - 1) { pairs.append((segment[j], segment[j + 1])) }
            }
        }
        return pairs
    }

    /// `argmin |sigmas − value|` (first index on ties), in float32 as torch does it.
    private static func nearestIndex(_ sigmas: [Float], to value: Float) -> Int {
        var best = 0
        for i in sigmas.indices where abs(sigmas[i] - value) < abs(sigmas[best] - value) { best = i }
        return best
    }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        let pairs = try Self.stepList(for: sigmas)
        var x = x
        var lastSigma: Float?
        for (index, (sigma, sigmaNext)) in pairs.enumerated() {
            if let last = lastSigma, last < sigma {
                let n = try drawNoise(&noise, from: last, to: sigma, shape: x.shape)
                let amount = (sigma * sigma - last * last).squareRoot()
                x = Tensor(shape: x.shape, data: zip(x.data, n.data).map { $0 + $1 * noiseScale * amount })
            }
            let denoised = try checkedDenoise(denoiser, x, sigma: sigma)
            try progress?(SamplerStep(index: index, count: pairs.count, sigma: sigma, x: x, denoised: denoised))
            let d = Tensor.derivative(x: x, denoised: denoised, sigma: sigma)
            let dt = sigmaNext - sigma
            if sigmaNext == 0 {
                x = x.stepped(along: d, by: dt)
            } else {
                let x2 = x.stepped(along: d, by: dt)
                let d2 = Tensor.derivative(x: x2, denoised: try checkedDenoise(denoiser, x2, sigma: sigmaNext), sigma: sigmaNext)
                let slope = Tensor(shape: d.shape, data: zip(d.data, d2.data).map { ($0 + $1) / 2 })
                x = x.stepped(along: slope, by: dt)
            }
            lastSigma = sigmaNext
        }
        return x
    }
}
