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

    /// A plan with A1111's defaults for everything not given.
    public init(selection: SamplerSelection, steps: Int, denoisingStrength: Double? = nil, fixSteps: Bool = false,
                noiseSource: NoiseSource = NoiseSource(), eta: Float? = nil, noiseScale: Float = 1,
                initialNoiseMultiplier: Float = 1, extraNoise: Float = 0,
                schedule: DiscreteNoiseSchedule = .stableDiffusion) {
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
    }

    /// The img2img step mapping, or nil for txt2img.
    public func img2imgSteps() throws -> Img2ImgSteps? {
        guard let strength = denoisingStrength else { return nil }
        return try Img2ImgSteps(steps: steps, denoisingStrength: strength, fixSteps: fixSteps)
    }

    /// The sigmas actually sampled (sliced for img2img).
    public func sigmas() throws -> [Float] {
        if let img2img = try img2imgSteps() {
            return img2img.slice(try selection.sigmas(steps: img2img.scheduleSteps, schedule: schedule))
        }
        return try selection.sigmas(steps: steps, schedule: schedule)
    }

    /// Runs the plan for a batch: `images` give the per-image seeds, `latentShape` is
    /// `[C, H, W]`, `initLatent` (`[B, C, H, W]`) is required exactly for img2img. The eps
    /// model is wrapped in `CompVisDenoiser` for k-diffusion samplers and driven directly by DDIM.
    public func run<M: NoisePredictor>(model: M, images: [ImageSeed], latentShape: [Int], initLatent: Tensor? = nil,
                                       progress: SamplerProgress? = nil) throws -> Tensor {
        let img2img = try checkedInputs(images: images, latentShape: latentShape, initLatent: initLatent)
        if selection.sampler.isTimestepSampler {
            let noise = try noiseSource.initialNoise(for: images, latentShape: latentShape)
            return try runDDIM(model: model, images: images, latentShape: latentShape, noise: noise,
                               img2img: img2img, initLatent: initLatent, progress: progress)
        }
        return try run(denoiser: CompVisDenoiser(model: model, schedule: schedule), images: images,
                       latentShape: latentShape, initLatent: initLatent, progress: progress)
    }

    /// Runs a k-diffusion sampler with a caller-built `Denoiser` (e.g. one that blends an
    /// inpainting mask or fuses tiles after each model call). DDIM needs an eps model: use
    /// `run(model:…)` for it.
    public func run<D: Denoiser>(denoiser: D, images: [ImageSeed], latentShape: [Int], initLatent: Tensor? = nil,
                                 progress: SamplerProgress? = nil) throws -> Tensor {
        let img2img = try checkedInputs(images: images, latentShape: latentShape, initLatent: initLatent)
        guard let sampler = selection.sampler.kDiffusionSampler(eta: eta ?? 1, noiseScale: noiseScale) else {
            throw SamplingError.invalidParameter(name: "sampler", problem: "\(selection.sampler.label) is a timestep sampler; run it with an eps model (run(model:))")
        }
        let noise = try noiseSource.initialNoise(for: images, latentShape: latentShape)
        let sigmas = try self.sigmas()
        let x: Tensor
        if let img2img, let initLatent {
            x = try img2img.startLatent(initLatent: initLatent, noise: noise.scaledCopy(by: initialNoiseMultiplier),
                                        sigmas: sigmas, extraNoise: extraNoise)
        } else {
            x = noise.scaledCopy(by: sigmas[0])
        }
        if selection.sampler.usesBrownianNoise {
            var brownian = try BrownianTreeNoise(seeds: images.map(\.seed), schedule: sigmas)
            return try sampler.sample(x, sigmas: sigmas, denoiser: denoiser, noise: &brownian, progress: progress)
        }
        if selection.sampler.usesImageStreamNoise {
            var stepNoise = try noiseSource.stepNoise(for: images, latentShape: latentShape)
            return try sampler.sample(x, sigmas: sigmas, denoiser: denoiser, noise: &stepNoise, progress: progress)
        }
        var none = NoNoise()
        return try sampler.sample(x, sigmas: sigmas, denoiser: denoiser, noise: &none, progress: progress)
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

    /// A1111's timestep samplers (DDIM, PLMS): txt2img walks the whole grid from unit noise;
    /// img2img noises the init latent to ᾱ of grid[t_enc] and walks `grid[..<t_enc]`
    /// (A1111's own off-by-one included).
    private func runDDIM<M: NoisePredictor>(model: M, images: [ImageSeed], latentShape: [Int], noise: Tensor,
                                            img2img: Img2ImgSteps?, initLatent: Tensor?,
                                            progress: SamplerProgress?) throws -> Tensor {
        let table = schedule.alphasCumprod
        var x = noise
        let plan: DDIMTimesteps
        if let img2img, let initLatent {
            let grid = try DDIMTimesteps.a1111Grid(steps: img2img.scheduleSteps, trainingSteps: table.count)
            let alpha = table[grid[img2img.encodedSteps]]
            let scaledNoise = noise.scaledCopy(by: initialNoiseMultiplier)
            x = Tensor.weightedSum(initLatent, alpha.squareRoot(), scaledNoise, (1 - alpha).squareRoot())
            if extraNoise > 0 { x = x.stepped(along: scaledNoise, by: extraNoise * alpha.squareRoot()) }
            plan = try DDIMTimesteps.a1111(grid: Array(grid.prefix(img2img.encodedSteps)), table: table)
        } else {
            plan = try DDIMTimesteps.a1111(grid: DDIMTimesteps.a1111Grid(steps: steps, trainingSteps: table.count), table: table)
        }
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
