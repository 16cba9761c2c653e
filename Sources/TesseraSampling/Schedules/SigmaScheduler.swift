import Foundation

/// A1111's "Schedule type": how the `steps + 1` sigmas (ending in 0) are chosen.
///
/// `automatic` means "the sampler's own default" and is resolved by `SamplerKind.automaticScheduler`.
public enum SigmaScheduler: String, Sendable, CaseIterable, Codable {
    case automatic
    /// The model's own spacing (k-diffusion `get_sigmas`: timesteps linspace(T−1, 0, n)).
    case uniform
    case karras
    case exponential
    case polyexponential
    case sgmUniform = "sgm_uniform"
    case klOptimal = "kl_optimal"
    case alignYourSteps = "align_your_steps"
    case simple
    case normal
    case ddim

    /// The label A1111 shows and writes to infotext ("Schedule type").
    public var label: String {
        switch self {
        case .automatic: "Automatic"
        case .uniform: "Uniform"
        case .karras: "Karras"
        case .exponential: "Exponential"
        case .polyexponential: "Polyexponential"
        case .sgmUniform: "SGM Uniform"
        case .klOptimal: "KL Optimal"
        case .alignYourSteps: "Align Your Steps"
        case .simple: "Simple"
        case .normal: "Normal"
        case .ddim: "DDIM"
        }
    }

    /// Parses an A1111 scheduler name or label ("karras", "Karras", "SGM Uniform", "sgm_uniform",
    /// "discrete" as the k-diffusion name of the model's uniform spacing); case-insensitive.
    public init(parsing text: String) throws {
        let key = Self.normalised(text)
        if key == "discrete" { self = .uniform; return }
        if let match = Self.allCases.first(where: { Self.normalised($0.rawValue) == key || Self.normalised($0.label) == key }) {
            self = match
        } else {
            throw SamplingError.unknownName(kind: "scheduler", name: text, known: Self.allCases.map(\.label), note: nil)
        }
    }

    static func normalised(_ text: String) -> String {
        text.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// The sigma schedule for `steps` sampler steps: `steps + 1` values, the last 0
    /// (KL Optimal ends at its own σ_min instead, as in A1111).
    /// `automatic` must be resolved first; it is treated as `uniform` here.
    /// `sigmaMin`/`sigmaMax` default to the model's table ends, as A1111 passes them; `rho`
    /// (A1111 option, 0/nil = scheduler default) applies to Karras (7) and Polyexponential (1).
    public func sigmas(steps: Int, schedule: DiscreteNoiseSchedule = .stableDiffusion,
                       sigmaMin: Float? = nil, sigmaMax: Float? = nil, rho: Double? = nil) throws -> [Float] {
        guard steps >= 1 else { throw SamplingError.invalidParameter(name: "steps", problem: "must be at least 1, got \(steps)") }
        let lo = Double(sigmaMin ?? schedule.sigmaMin), hi = Double(sigmaMax ?? schedule.sigmaMax)
        guard lo > 0, hi > lo else {
            throw SamplingError.invalidParameter(name: "sigma_min/sigma_max", problem: "need 0 < sigma_min < sigma_max, got \(lo) and \(hi)")
        }
        let customRho = rho.flatMap { $0 > 0 ? $0 : nil }
        let n = steps
        switch self {
        case .automatic, .uniform:
            let tMax = Float(schedule.sigmas.count - 1)
            return DiscreteNoiseSchedule.linspaceFloat(start: tMax, end: 0, count: n).map(schedule.sigma(forTimestep:)) + [0]
        case .karras:
            // k-diffusion's float32 torch arithmetic, Python-float constants cast at each op:
            // the SDE samplers' Brownian trees resolve sigmas to 1e-6, so ulps matter.
            let rho = customRho ?? 7
            let minInv = pow(lo, 1 / rho), maxInv = pow(hi, 1 / rho)
            let span = Float(minInv - maxInv), base = Float(maxInv)
            return DiscreteNoiseSchedule.linspaceFloat(start: 0, end: 1, count: n).map { ramp in
                powf(base + ramp * span, Float(rho))
            } + [0]
        case .exponential:
            return DiscreteNoiseSchedule.linspaceFloat(start: Float(log(hi)), end: Float(log(lo)), count: n).map { expf($0) } + [0]
        case .polyexponential:
            let span = log(hi) - log(lo), rho = customRho ?? 1
            return DiscreteNoiseSchedule.linspaceFloat(start: 1, end: 0, count: n).map { r in
                Float(exp(pow(Double(r), rho) * span + log(lo)))
            } + [0]
        case .sgmUniform, .normal:
            let start = schedule.timestep(forSigma: Float(hi)), end = schedule.timestep(forSigma: Float(lo))
            var ts = DiscreteNoiseSchedule.linspaceFloat(start: start, end: end, count: self == .sgmUniform ? n + 1 : n)
            if self == .sgmUniform { ts.removeLast() }
            return ts.map(schedule.sigma(forTimestep:)) + [0]
        case .klOptimal:
            let aMin = atan(lo), aMax = atan(hi)
            return (0...n).map { i in
                let f = Double(i) / Double(n)
                return Float(tan(f * aMin + (1 - f) * aMax))
            }
        case .alignYourSteps:
            return Self.alignYourSteps(steps: n) + [0]
        case .simple:
            let spacing = Double(schedule.sigmas.count) / Double(n)
            return (0..<n).map { x in schedule.sigmas[schedule.sigmas.count - 1 - Int(Double(x) * spacing)] } + [0]
        case .ddim:
            let spacing = max(schedule.sigmas.count / n, 1)
            return Array(stride(from: 1, to: schedule.sigmas.count, by: spacing).map { schedule.sigmas[$0] }.reversed()) + [0]
        }
    }

    /// Align Your Steps' published SD 1.5 sigmas, log-linearly resampled to `steps` values.
    static func alignYourSteps(steps: Int) -> [Float] {
        let table: [Double] = [14.615, 6.475, 3.861, 2.697, 1.886, 1.396, 0.963, 0.652, 0.399, 0.152, 0.029]
        if steps == table.count { return table.map { Float($0) } }
        // np.interp over the reversed (ascending) log table, then reversed back.
        let ys = table.reversed().map { log($0) }
        let last = Double(ys.count - 1)
        let out: [Double] = (0..<steps).map { i in
            let x = steps == 1 ? 0 : Double(i) / Double(steps - 1) * last
            let low = min(Int(x), ys.count - 2)
            let w = x - Double(low)
            return exp((1 - w) * ys[low] + w * ys[low + 1])
        }
        return out.reversed().map { Float($0) }
    }
}
