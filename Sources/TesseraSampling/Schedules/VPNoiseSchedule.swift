import Foundation

/// DPM-Solver / UniPC's `NoiseScheduleVP('discrete', alphas_cumprod=…)`: a discrete DDPM
/// table seen in continuous time t ∈ (0, 1], with step n at t = (n + 1)/N and log α(t)
/// interpolated piecewise linearly (and extrapolated beyond the ends) between the steps.
///
/// Everything is float32 in the reference (A1111 passes the model's float32 `alphas_cumprod`),
/// so it is float32 here, with torch's operation order.
public struct VPNoiseSchedule: Sendable, Equatable {
    /// Number of training steps N.
    public let trainingSteps: Int
    /// t of each training step, `linspace(0, 1, N + 1)[1:]`.
    let times: [Float]
    /// `0.5 · log(ᾱ_n)` = log α at each step.
    let logAlphas: [Float]

    /// The VP view of a discrete schedule's ᾱ table.
    public init(alphasCumprod: [Float]) throws {
        guard alphasCumprod.count >= 2, alphasCumprod.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw SamplingError.invalidParameter(name: "alphas_cumprod", problem: "need at least 2 values in (0, 1)")
        }
        trainingSteps = alphasCumprod.count
        times = Array(DiscreteNoiseSchedule.linspaceFloat(start: 0, end: 1, count: alphasCumprod.count + 1).dropFirst())
        logAlphas = alphasCumprod.map { 0.5 * logf($0) }
    }

    /// The VP view of a `DiscreteNoiseSchedule`.
    public init(_ schedule: DiscreteNoiseSchedule) throws {
        try self.init(alphasCumprod: schedule.alphasCumprod)
    }

    /// log α(t) (`marginal_log_mean_coeff`).
    public func logAlpha(_ t: Float) -> Float {
        Self.interpolate(t, xs: times, ys: logAlphas)
    }

    /// α(t) = √ᾱ.
    public func alpha(_ t: Float) -> Float { expf(logAlpha(t)) }

    /// σ(t) = √(1 − α²) (`marginal_std`).
    public func std(_ t: Float) -> Float { (1 - expf(2 * logAlpha(t))).squareRoot() }

    /// The half log-SNR λ(t) = log α − log σ (`marginal_lambda`).
    public func lambda(_ t: Float) -> Float {
        let logMean = logAlpha(t)
        return logMean - 0.5 * logf(1 - expf(2 * logMean))
    }

    /// The t with λ(t) = `lambda` (`inverse_lambda`).
    public func time(forLambda lambda: Float) -> Float {
        // log α = −½·logaddexp(0, −2λ), torch's logaddexp: max + log1p(exp(−|a − b|)).
        let a: Float = 0, b = -2 * lambda
        let logAddExp = max(a, b) + log1pf(expf(-abs(a - b)))
        let logAlpha = -0.5 * logAddExp
        return Self.interpolate(logAlpha, xs: logAlphas.reversed(), ys: times.reversed())
    }

    /// UniPC's `interpolate_fn` for one query: linear between the keypoints around `x`
    /// (ascending `xs`), extrapolating with the first or last two keypoints outside them.
    static func interpolate(_ x: Float, xs: [Float], ys: [Float]) -> Float {
        let k = xs.count
        // The query's position among the keypoints (it sorts before equal keypoints).
        var lo = 0, hi = k
        while lo < hi {
            let mid = (lo + hi) / 2
            if xs[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        let left: Int
        if lo == 0 { left = 0 } else if lo == k { left = k - 2 } else { left = lo - 1 }
        let x0 = xs[left], x1 = xs[left + 1], y0 = ys[left], y1 = ys[left + 1]
        return y0 + (x - x0) * (y1 - y0) / (x1 - x0)
    }
}
