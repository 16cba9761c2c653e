/// The A1111 samplers Tessera implements, by their UI labels.
public enum SamplerKind: String, Sendable, CaseIterable, Codable {
    case dpmpp2M = "DPM++ 2M"
    case dpmppSDE = "DPM++ SDE"
    case dpmpp2MSDE = "DPM++ 2M SDE"
    case dpmpp2MSDEHeun = "DPM++ 2M SDE Heun"
    case dpmpp2SAncestral = "DPM++ 2S a"
    case dpmpp3MSDE = "DPM++ 3M SDE"
    case eulerAncestral = "Euler a"
    case euler = "Euler"
    case lms = "LMS"
    case heun = "Heun"
    case dpm2 = "DPM2"
    case dpm2Ancestral = "DPM2 a"
    case dpmFast = "DPM fast"
    case dpmAdaptive = "DPM adaptive"
    case restart = "Restart"
    case lcm = "LCM"
    case ddim = "DDIM"
    case plms = "PLMS"
    case uniPC = "UniPC"

    /// The A1111 label ("Euler a", "DPM++ 2M", …).
    public var label: String { rawValue }

    /// A1111's API aliases (k-diffusion function names without `sample_`).
    public var aliases: [String] {
        switch self {
        case .euler: ["k_euler"]
        case .eulerAncestral: ["k_euler_a", "k_euler_ancestral"]
        case .heun: ["k_heun"]
        case .dpmpp2M: ["k_dpmpp_2m"]
        case .dpmppSDE: ["k_dpmpp_sde"]
        case .dpmpp2MSDE: ["k_dpmpp_2m_sde"]
        case .dpmpp2MSDEHeun: ["k_dpmpp_2m_sde_heun"]
        case .dpmpp2SAncestral: ["k_dpmpp_2s_a", "dpm2s_a"]
        case .dpmpp3MSDE: ["k_dpmpp_3m_sde"]
        case .lms: ["k_lms"]
        case .dpm2: ["k_dpm_2"]
        case .dpm2Ancestral: ["k_dpm_2_a"]
        case .dpmFast: ["k_dpm_fast"]
        case .dpmAdaptive: ["k_dpm_ad"]
        case .restart: ["restart"]
        case .lcm: ["k_lcm"]
        case .ddim: ["ddim"]
        case .plms: ["plms"]
        case .uniPC: ["unipc"]
        }
    }

    /// The scheduler "Automatic" stands for with this sampler (A1111 sampler options).
    public var automaticScheduler: SigmaScheduler {
        switch self {
        case .euler, .eulerAncestral, .heun, .lms, .dpmFast, .dpmAdaptive, .lcm: .uniform
        case .dpmpp2M, .dpmppSDE, .dpmpp2SAncestral, .dpm2, .dpm2Ancestral, .restart: .karras
        case .dpmpp2MSDE, .dpmpp2MSDEHeun, .dpmpp3MSDE: .exponential
        case .ddim, .plms, .uniPC: .ddim
        }
    }

    /// Model calls per step (prompt-schedule step counts are multiplied by this in A1111).
    public var modelCallsPerStep: Int {
        switch self {
        case .heun, .dpmppSDE, .dpmpp2SAncestral, .dpm2, .dpm2Ancestral, .restart: 2
        default: 1
        }
    }

    /// A1111 "discard penultimate sigma": the schedule is built for steps + 1 and its
    /// second-to-last value dropped.
    public var discardsPenultimateSigma: Bool { [.dpm2, .dpm2Ancestral, .dpmpp3MSDE].contains(self) }

    /// Draws per-step noise from the image streams (A1111 applies ENSD to these).
    public var usesImageStreamNoise: Bool {
        [.eulerAncestral, .dpm2Ancestral, .dpmpp2SAncestral, .dpmFast, .dpmAdaptive, .restart, .lcm].contains(self)
    }

    /// Takes Brownian-tree noise seeded by the image seeds.
    public var usesBrownianNoise: Bool { [.dpmppSDE, .dpmpp2MSDE, .dpmpp2MSDEHeun, .dpmpp3MSDE].contains(self) }

    /// Runs over integer DDPM timesteps with an eps model instead of a sigma schedule.
    public var isTimestepSampler: Bool { [.ddim, .plms, .uniPC].contains(self) }

    /// The k-diffusion sampler for this kind; nil for the timestep samplers DDIM, PLMS and
    /// UniPC (use `DDIMSampler` / `PLMSSampler` / `UniPCSampler`).
    public func kDiffusionSampler(eta: Float = 1, noiseScale: Float = 1) -> (any KDiffusionSampler)? {
        switch self {
        case .euler: EulerSampler()
        case .eulerAncestral: EulerAncestralSampler(eta: eta, noiseScale: noiseScale)
        case .heun: HeunSampler()
        case .dpmpp2M: DPMPP2MSampler()
        case .dpmppSDE: DPMPPSDESampler(eta: eta, noiseScale: noiseScale)
        case .dpmpp2MSDE: DPMPP2MSDESampler(solver: .midpoint, eta: eta, noiseScale: noiseScale)
        case .dpmpp2MSDEHeun: DPMPP2MSDESampler(solver: .heun, eta: eta, noiseScale: noiseScale)
        case .dpmpp2SAncestral: DPMPP2SAncestralSampler(eta: eta, noiseScale: noiseScale)
        case .dpmpp3MSDE: DPMPP3MSDESampler(eta: eta, noiseScale: noiseScale)
        case .lms: LMSSampler()
        case .dpm2: DPM2Sampler()
        case .dpm2Ancestral: DPM2AncestralSampler(eta: eta, noiseScale: noiseScale)
        case .dpmFast: DPMFastSampler(eta: eta, noiseScale: noiseScale)
        case .dpmAdaptive: DPMAdaptiveSampler(eta: eta, noiseScale: noiseScale)
        case .restart: RestartSampler(noiseScale: noiseScale)
        case .lcm: LCMSampler()
        case .ddim, .plms, .uniPC: nil
        }
    }

    /// Parses a sampler label or alias, case-insensitively.
    public init(parsing text: String) throws {
        let key = SigmaScheduler.normalised(text)
        if let match = Self.allCases.first(where: { kind in
            SigmaScheduler.normalised(kind.label) == key || kind.aliases.contains { SigmaScheduler.normalised($0) == key }
        }) {
            self = match
        } else {
            throw SamplingError.unknownName(kind: "sampler", name: text, known: Self.allCases.map(\.label), note: nil)
        }
    }
}

/// A sampler with its scheduler, as A1111 resolves "Sampling method" + "Schedule type".
public struct SamplerSelection: Sendable, Equatable, Codable {
    /// The sampling method.
    public var sampler: SamplerKind
    /// The scheduler as chosen (may be `.automatic`).
    public var scheduler: SigmaScheduler

    /// A selection; the scheduler defaults to Automatic.
    public init(sampler: SamplerKind, scheduler: SigmaScheduler = .automatic) {
        self.sampler = sampler
        self.scheduler = scheduler
    }

    /// The scheduler actually used (`automatic` resolved to the sampler's default).
    public var effectiveScheduler: SigmaScheduler {
        scheduler == .automatic ? sampler.automaticScheduler : scheduler
    }

    /// The sigmas A1111 samples `steps` steps with (`get_sigmas`): the effective scheduler's
    /// table, built one longer and with the penultimate value dropped for DPM2 / DPM2 a /
    /// DPM++ 3M SDE.
    public func sigmas(steps: Int, schedule: DiscreteNoiseSchedule = .stableDiffusion) throws -> [Float] {
        if sampler == .lcm { return try lcmSigmas(steps: steps, schedule: schedule) }
        guard sampler.discardsPenultimateSigma else {
            return try effectiveScheduler.sigmas(steps: steps, schedule: schedule)
        }
        var sigmas = try effectiveScheduler.sigmas(steps: steps + 1, schedule: schedule)
        sigmas.remove(at: sigmas.count - 2)
        return sigmas
    }

    /// LCM's sigmas: its own spacing for Automatic/Uniform, otherwise the scheduler over the
    /// thinned table's ends (A1111 hands the LCM denoiser's σ range to the scheduler function).
    private func lcmSigmas(steps: Int, schedule: DiscreteNoiseSchedule) throws -> [Float] {
        let lcm = try LCMSchedule(schedule)
        switch effectiveScheduler {
        case .automatic, .uniform:
            return try lcm.sigmas(steps: steps)
        case .karras, .exponential, .polyexponential, .klOptimal:
            return try effectiveScheduler.sigmas(steps: steps, schedule: lcm.table, sigmaMin: lcm.table.sigmaMin, sigmaMax: lcm.table.sigmaMax)
        default:
            throw SamplingError.invalidParameter(name: "scheduler", problem: "\(effectiveScheduler.label) is not supported with LCM here; use Automatic, Uniform, Karras, Exponential, Polyexponential or KL Optimal")
        }
    }

    /// Parses A1111 names, including legacy combined names such as "DPM++ 2M Karras" (the
    /// trailing scheduler becomes the schedule; if it equals the sampler's default it is
    /// reported as Automatic, as A1111 does). An explicit `scheduler` argument wins.
    public init(parsing samplerName: String, scheduler schedulerName: String? = nil) throws {
        let explicitScheduler = try schedulerName.flatMap { $0.isEmpty ? nil : try SigmaScheduler(parsing: $0) }
        let scheduler = explicitScheduler ?? .automatic
        if let kind = try? SamplerKind(parsing: samplerName) {
            self.init(sampler: kind, scheduler: scheduler)
            return
        }
        // Legacy "<sampler> <scheduler>": try every split point from the right.
        let words = samplerName.split(separator: " ")
        for cut in stride(from: words.count - 1, to: 0, by: -1) {
            let head = words[..<cut].joined(separator: " "), tail = words[cut...].joined(separator: " ")
            if let kind = try? SamplerKind(parsing: head), let legacy = try? SigmaScheduler(parsing: tail) {
                let chosen = explicitScheduler ?? legacy
                self.init(sampler: kind, scheduler: chosen == kind.automaticScheduler ? .automatic : chosen)
                return
            }
        }
        _ = try SamplerKind(parsing: samplerName)  // throws the error listing the known samplers
        self.init(sampler: .euler)
    }
}
