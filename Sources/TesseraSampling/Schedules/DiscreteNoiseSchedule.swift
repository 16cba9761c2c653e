import Foundation

/// The SD 1.5 training noise schedule in k-diffusion's sigma form, as A1111 holds it.
///
/// LDM builds the betas in float64 (`linspace(√β_start, √β_end, 1000)²`), takes the cumulative
/// product in float64 and stores `alphas_cumprod` as a float32 buffer; k-diffusion's
/// `CompVisDenoiser` then derives `σ_t = √((1 − ᾱ_t)/ᾱ_t)` in float32. The same steps are
/// taken here so that the sigma table equals the one A1111 samples with.
public struct DiscreteNoiseSchedule: Sendable, Equatable {
    /// ᾱ_t for t = 0..<trainingSteps (float32 values of the float64 product).
    public let alphasCumprod: [Float]
    /// σ_t, ascending with t.
    public let sigmas: [Float]
    /// ln σ_t, the interpolation domain of `timestep(forSigma:)`.
    public let logSigmas: [Float]

    /// The schedule of every SD 1.x / 2.x eps model: scaled-linear betas 0.00085…0.012, 1000 steps.
    public static let stableDiffusion = DiscreteNoiseSchedule(validScaledLinear: 0.00085, 0.012, 1000)

    /// A scaled-linear schedule (`beta_schedule = "scaled_linear"`).
    public init(betaStart: Double, betaEnd: Double, trainingSteps: Int) throws {
        guard trainingSteps >= 2 else {
            throw SamplingError.invalidParameter(name: "num_train_timesteps", problem: "must be at least 2, got \(trainingSteps)")
        }
        guard betaStart > 0, betaEnd > 0, betaStart < 1, betaEnd < 1 else {
            throw SamplingError.invalidParameter(name: "beta_start/beta_end", problem: "must lie in (0, 1), got \(betaStart) and \(betaEnd)")
        }
        self.init(validScaledLinear: betaStart, betaEnd, trainingSteps)
    }

    private init(validScaledLinear betaStart: Double, _ betaEnd: Double, _ trainingSteps: Int) {
        let a = betaStart.squareRoot(), b = betaEnd.squareRoot()
        var product = 1.0
        var cumprod = [Float]()
        cumprod.reserveCapacity(trainingSteps)
        for i in 0..<trainingSteps {
            let root = Self.linspaceElement(start: a, end: b, count: trainingSteps, index: i)
            product *= 1 - root * root
            cumprod.append(Float(product))
        }
        self.init(validTable: cumprod)
    }

    /// A schedule from a stored `alphas_cumprod` table (e.g. a checkpoint's own buffer).
    public init(alphasCumprod: [Float]) throws {
        guard alphasCumprod.count >= 2 else {
            throw SamplingError.invalidParameter(name: "alphas_cumprod", problem: "needs at least 2 entries, got \(alphasCumprod.count)")
        }
        guard alphasCumprod.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw SamplingError.invalidParameter(name: "alphas_cumprod", problem: "every value must lie in (0, 1)")
        }
        self.init(validTable: alphasCumprod)
    }

    private init(validTable alphasCumprod: [Float]) {
        self.alphasCumprod = alphasCumprod
        sigmas = alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
        logSigmas = sigmas.map { logf($0) }
    }

    /// Smallest model sigma, σ_0 (≈ 0.0292 for SD 1.5).
    public var sigmaMin: Float { sigmas[0] }
    /// Largest model sigma, σ_T (≈ 14.61 for SD 1.5).
    public var sigmaMax: Float { sigmas[sigmas.count - 1] }

    /// The (fractional) UNet timestep for `sigma`: k-diffusion `sigma_to_t`, interpolating
    /// linearly in ln σ between the neighbouring table entries and clamping to [0, T−1].
    /// With `quantize` the nearest integer timestep in ln σ (A1111 `enable_quantization`, off by default).
    public func timestep(forSigma sigma: Float, quantize: Bool = false) -> Float {
        let logSigma = logf(sigma)
        if quantize {
            var best = 0
            var bestDistance = Float.infinity
            for (i, value) in logSigmas.enumerated() where abs(logSigma - value) < bestDistance {
                bestDistance = abs(logSigma - value)
                best = i
            }
            return Float(best)
        }
        // Last index whose ln σ is <= the query (0 if none), as the cumsum/argmax trick selects it.
        var low = 0
        for (i, value) in logSigmas.enumerated() where logSigma - value >= 0 { low = i }
        low = min(low, logSigmas.count - 2)
        let lowLog = logSigmas[low], highLog = logSigmas[low + 1]
        let w = min(max((lowLog - logSigma) / (lowLog - highLog), 0), 1)
        return (1 - w) * Float(low) + w * Float(low + 1)
    }

    /// σ at a fractional timestep: k-diffusion `t_to_sigma` (linear interpolation of ln σ).
    /// Timesteps outside [0, T−1] are clamped to the table.
    public func sigma(forTimestep timestep: Float) -> Float {
        let t = min(max(timestep, 0), Float(logSigmas.count - 1))
        let low = Int(t.rounded(.down)), high = Int(t.rounded(.up))
        let w = t - t.rounded(.down)
        return expf((1 - w) * logSigmas[low] + w * logSigmas[high])
    }

    /// Element `index` of `torch.linspace(start, end, count)`: torch fills the first half
    /// forwards from `start` and the second half backwards from `end`.
    static func linspaceElement(start: Double, end: Double, count: Int, index: Int) -> Double {
        if count == 1 { return start }
        let step = (end - start) / Double(count - 1)
        return index < count / 2 ? start + step * Double(index) : end - step * Double(count - 1 - index)
    }

    /// `torch.linspace` in float32 arithmetic.
    static func linspaceFloat(start: Float, end: Float, count: Int) -> [Float] {
        if count == 1 { return [start] }
        let step = (end - start) / Float(count - 1)
        // torch's CPU kernel is compiled with FMA contraction: each element is one fused
        // multiply-add (single rounding), which the bit-exact schedules depend on.
        return (0..<count).map { i in
            i < count / 2 ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(count - 1 - i))
        }
    }
}
