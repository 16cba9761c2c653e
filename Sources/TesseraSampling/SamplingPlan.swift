import TesseraTensor

/// One A1111-style sampling run, as a value: sampler + schedule, steps, img2img strength and
/// the noise settings. `run` turns an eps model (UNet + CFG) into the final latent exactly
/// the way A1111 wires its samplers, noise and schedule together.
public struct SamplingPlan: Sendable, Equatable {
    /// Sampler and schedule type.
    public var selection: SamplerSelection
    /// "Sampling steps".
    public var steps: Int
    /// Denoising strength for img2img; nil for txt2img.
    public var denoisingStrength: Double?
    /// A1111 `img2img_fix_steps`.
    public var fixSteps: Bool
    /// RNG source and ENSD.
    public var noiseSource: NoiseSource
    /// Eta; nil means the sampler's default (`eta_ancestral` 1 for k-diffusion, `eta_ddim` 0 for DDIM).
    public var eta: Float?
    /// A1111 `s_noise`.
    public var noiseScale: Float
    /// A1111 `initial_noise_multiplier` (img2img start noise).
    public var initialNoiseMultiplier: Float
    /// A1111 `img2img_extra_noise`.
    public var extraNoise: Float
    /// The model's training schedule.
    public var schedule: DiscreteNoiseSchedule
    /// Where the SDE samplers' Brownian-tree normals come from; nil follows the RNG source
    /// (NV → CUDA Philox, as A1111 on an NVIDIA GPU; CPU → torch CPU, as A1111 on a CPU).
    public var brownianNormals: BrownianNormalSource?
    /// UniPC's options (A1111 `uni_pc_variant`, `uni_pc_skip_type`, `uni_pc_order`,
    /// `uni_pc_lower_order_final`); A1111's defaults unless changed.
    public var uniPC: UniPCSampler

    /// A plan with A1111's defaults for everything not given.
    public init(selection: SamplerSelection, steps: Int, denoisingStrength: Double? = nil, fixSteps: Bool = false,
                noiseSource: NoiseSource = NoiseSource(), eta: Float? = nil, noiseScale: Float = 1,
                initialNoiseMultiplier: Float = 1, extraNoise: Float = 0,
                schedule: DiscreteNoiseSchedule = .stableDiffusion, brownianNormals: BrownianNormalSource? = nil,
                uniPC: UniPCSampler = UniPCSampler()) {
        self.selection = selection
        self.steps = steps
        self.denoisingStrength = denoisingStrength
        self.fixSteps = fixSteps
        self.noiseSource = noiseSource
        self.eta = eta
        self.noiseScale = noiseScale
        self.initialNoiseMultiplier = initialNoiseMultiplier
        self.extraNoise = extraNoise
        self.schedule = schedule
        self.brownianNormals = brownianNormals
        self.uniPC = uniPC
    }

    /// The img2img step mapping, or nil for txt2img.
    public func img2imgSteps() throws -> Img2ImgSteps? {
        guard let strength = denoisingStrength else { return nil }
        return try Img2ImgSteps(steps: steps, denoisingStrength: strength, fixSteps: fixSteps)
    }

    /// The sigmas actually sampled (sliced for img2img).
    public func sigmas() throws -> [Float] {
        let full = try fullSigmas()
        if let img2img = try img2imgSteps() { return img2img.slice(full) }
        return full
    }

    /// The whole schedule before img2img slicing (A1111 spans the Brownian trees over it).
    public func fullSigmas() throws -> [Float] {
        let scheduleSteps = try img2imgSteps()?.scheduleSteps ?? steps
        return try selection.sigmas(steps: scheduleSteps, schedule: schedule)
    }

    /// The Brownian-tree noise A1111 gives the SDE samplers for this batch
    /// (`create_noise_sampler`): one tree per image seed, spanning the full schedule.
    public func brownianNoise(for images: [ImageSeed], latentShape: [Int]) throws -> BrownianTreeNoise {
        try BrownianTreeNoise(seeds: images.map(\.seed), imageShape: latentShape, schedule: try fullSigmas(),
                              normals: brownianNormals ?? BrownianNormalSource(matching: noiseSource.rng))
    }

    /// Runs the plan for a batch: `images` give the per-image seeds, `latentShape` is
    /// `[C, H, W]`, `initLatent` (`[B, C, H, W]`) is required exactly for img2img. The eps
    /// model is wrapped in `CompVisDenoiser` for k-diffusion samplers and driven directly by DDIM.
    /// `startNoise` turns the seeded start noise into the noise used, as in `run(denoiser:…)`.
    public func run<M: NoisePredictor>(model: M, images: [ImageSeed], latentShape: [Int], initLatent: Tensor? = nil,
                                       progress: SamplerProgress? = nil,
                                       startNoise: ((Tensor) throws -> Tensor)? = nil) throws -> Tensor {
        let img2img = try checkedInputs(images: images, latentShape: latentShape, initLatent: initLatent)
        if selection.sampler.isTimestepSampler {
            let noise = try started(try noiseSource.initialNoise(for: images, latentShape: latentShape), with: startNoise)
            return try runDDIM(model: model, images: images, latentShape: latentShape, noise: noise,
                               img2img: img2img, initLatent: initLatent, progress: progress)
        }
        return try run(denoiser: try denoiser(wrapping: model), images: images,
                       latentShape: latentShape, initLatent: initLatent, startNoise: startNoise, progress: progress)
    }

    private func started(_ seeded: Tensor, with startNoise: ((Tensor) throws -> Tensor)?) throws -> Tensor {
        let noise = try startNoise?(seeded) ?? seeded
        guard noise.shape == seeded.shape else {
            throw SamplingError.mismatch("start noise has shape \(noise.shape), the batch needs \(seeded.shape)")
        }
        return noise
    }

    /// The denoiser A1111 puts around the eps model for this plan's sampler: the LCM denoiser for
    /// "LCM", k-diffusion's `CompVisDenoiser` otherwise. Wrap this (not a bare `CompVisDenoiser`)
    /// when building a custom denoiser for `run(denoiser:…)`.
    public func denoiser<M: NoisePredictor>(wrapping model: M) throws -> PlanDenoiser<M> {
        if selection.sampler == .lcm {
            return PlanDenoiser(.lcm(LCMDenoiser(model: model, schedule: try LCMSchedule(schedule))))
        }
        return PlanDenoiser(.compVis(CompVisDenoiser(model: model, schedule: schedule)))
    }

    /// Runs a k-diffusion sampler with a caller-built `Denoiser` (e.g. one that blends an
    /// inpainting mask or fuses tiles after each model call). DDIM needs an eps model: use
    /// `run(model:…)` for it. `startNoise`, when given, turns the seeded start noise into the
    /// noise actually used (Tiled Diffusion's noise inversion); the noise multiplier and extra
    /// noise still apply to its result, as A1111 applies them to the noise it is handed.
    public func run<D: Denoiser>(denoiser: D, images: [ImageSeed], latentShape: [Int], initLatent: Tensor? = nil,
                                 startNoise: ((Tensor) throws -> Tensor)? = nil,
                                 progress: SamplerProgress? = nil) throws -> Tensor {
        let img2img = try checkedInputs(images: images, latentShape: latentShape, initLatent: initLatent)
        guard let sampler = kDiffusionSampler(isImg2Img: img2img != nil) else {
            throw SamplingError.invalidParameter(name: "sampler", problem: "\(selection.sampler.label) is a timestep sampler; run it with an eps model (run(model:))")
        }
        let noise = try started(try noiseSource.initialNoise(for: images, latentShape: latentShape), with: startNoise)
        let sigmas = try self.sigmas()
        let x: Tensor
        if let img2img, let initLatent {
            x = try img2img.startLatent(initLatent: initLatent, noise: noise.scaledCopy(by: initialNoiseMultiplier),
                                        sigmas: sigmas, extraNoise: extraNoise)
        } else {
            x = noise.scaledCopy(by: sigmas[0])
        }
        if selection.sampler.usesBrownianNoise {
            var brownian = try brownianNoise(for: images, latentShape: latentShape)
            return try sampler.sample(x, sigmas: sigmas, denoiser: denoiser, noise: &brownian, progress: progress)
        }
        if selection.sampler.usesImageStreamNoise {
            var stepNoise = try noiseSource.stepNoise(for: images, latentShape: latentShape)
            return try sampler.sample(x, sigmas: sigmas, denoiser: denoiser, noise: &stepNoise, progress: progress)
        }
        var none = NoNoise()
        return try sampler.sample(x, sigmas: sigmas, denoiser: denoiser, noise: &none, progress: progress)
    }

    /// The k-diffusion sampler as A1111 calls it. DPM fast / DPM adaptive take a σ range
    /// instead of a schedule: the model's table ends for txt2img, the sliced schedule's ends
    /// for img2img (A1111 `sample` vs `sample_img2img`).
    private func kDiffusionSampler(isImg2Img: Bool) -> (any KDiffusionSampler)? {
        let modelRange = isImg2Img ? nil : DPMSolverRange(sigmaMin: schedule.sigmaMin, sigmaMax: schedule.sigmaMax)
        switch selection.sampler {
        case .dpmFast: return DPMFastSampler(eta: eta ?? 1, noiseScale: noiseScale, range: modelRange)
        case .dpmAdaptive: return DPMAdaptiveSampler(eta: eta ?? 1, noiseScale: noiseScale, range: modelRange)
        default: return selection.sampler.kDiffusionSampler(eta: eta ?? 1, noiseScale: noiseScale)
        }
    }

    private func checkedInputs(images: [ImageSeed], latentShape: [Int], initLatent: Tensor?) throws -> Img2ImgSteps? {
        guard !images.isEmpty else { throw SamplingError.invalidParameter(name: "images", problem: "empty batch") }
        guard steps >= 1 else { throw SamplingError.invalidParameter(name: "steps", problem: "must be at least 1, got \(steps)") }
        let batchShape = [images.count] + latentShape
        let img2img = try img2imgSteps()
        if img2img != nil, initLatent?.shape != batchShape {
            throw SamplingError.mismatch("img2img needs an init latent of shape \(batchShape), got \(initLatent.map { "\($0.shape)" } ?? "none")")
        }
        if img2img == nil, initLatent != nil {
            throw SamplingError.mismatch("an init latent was given but no denoising strength (txt2img)")
        }
        return img2img
    }

    /// A1111's UniPC driver (`sd_samplers_timesteps_impl.unipc`): as many steps as the grid it
    /// is given has entries, from t = 1 for txt2img; img2img gets the first `t_enc` grid entries
    /// and starts at t = grid[t_enc − 1]/1000 + 1/1000 (A1111's own approximation, kept).
    private func runUniPC<M: NoisePredictor>(_ x: Tensor, grid: [Int], isImg2Img: Bool, model: M,
                                             progress: SamplerProgress?) throws -> Tensor {
        guard let top = grid.last else {
            throw SamplingError.invalidParameter(name: "denoising strength", problem: "too small for UniPC: no timestep left to run")
        }
        let tStart: Float? = isImg2Img ? Float(top) / 1000 + Float(0.001) : nil
        return try uniPC.sample(x, steps: grid.count, tStart: tStart, schedule: schedule, model: model, progress: progress)
    }

    /// A1111's timestep samplers (DDIM, PLMS, UniPC): txt2img walks the whole grid from unit noise;
    /// img2img noises the init latent to ᾱ of grid[t_enc] and walks `grid[..<t_enc]`
    /// (A1111's own off-by-one included).
    private func runDDIM<M: NoisePredictor>(model: M, images: [ImageSeed], latentShape: [Int], noise: Tensor,
                                            img2img: Img2ImgSteps?, initLatent: Tensor?,
                                            progress: SamplerProgress?) throws -> Tensor {
        let table = schedule.alphasCumprod
        var x = noise
        let walked: [Int]
        if let img2img, let initLatent {
            let grid = try DDIMTimesteps.a1111Grid(steps: img2img.scheduleSteps, trainingSteps: table.count)
            let alpha = table[grid[img2img.encodedSteps]]
            let scaledNoise = noise.scaledCopy(by: initialNoiseMultiplier)
            x = Tensor.weightedSum(initLatent, alpha.squareRoot(), scaledNoise, (1 - alpha).squareRoot())
            if extraNoise > 0 { x = x.stepped(along: scaledNoise, by: extraNoise * alpha.squareRoot()) }
            walked = Array(grid.prefix(img2img.encodedSteps))
        } else {
            walked = try DDIMTimesteps.a1111Grid(steps: steps, trainingSteps: table.count)
        }
        if selection.sampler == .uniPC {
            return try runUniPC(x, grid: walked, isImg2Img: img2img != nil, model: model, progress: progress)
        }
        let plan = try DDIMTimesteps.a1111(grid: walked, table: table)
        if selection.sampler == .plms {
            return try PLMSSampler().sample(x, plan: plan, model: model, progress: progress)
        }
        let ddimEta = eta ?? 0
        if ddimEta > 0 {
            var stepNoise = try noiseSource.stepNoise(for: images, latentShape: latentShape)
            return try DDIMSampler(eta: ddimEta).sample(x, plan: plan, model: model, noise: &stepNoise, progress: progress)
        }
        var none = NoNoise()
        return try DDIMSampler(eta: 0).sample(x, plan: plan, model: model, noise: &none, progress: progress)
    }
}

/// The eps-model wrapper a `SamplingPlan` chooses (see `SamplingPlan.denoiser(wrapping:)`).
public struct PlanDenoiser<Model: NoisePredictor>: Denoiser {
    enum Kind {
        case compVis(CompVisDenoiser<Model>)
        case lcm(LCMDenoiser<Model>)
    }

    let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    public func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        switch kind {
        case let .compVis(d): try d.denoise(x, sigma: sigma)
        case let .lcm(d): try d.denoise(x, sigma: sigma)
        }
    }
}
