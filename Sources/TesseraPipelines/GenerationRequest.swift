import TesseraImageOps
import TesseraImaging
import TesseraPrompt
import TesseraSampling

/// Everything one A1111-style generation needs, with A1111's names and (UI) defaults.
public struct GenerationRequest: Sendable, Equatable {
    /// What the job does with an init image.
    public enum Mode: Sendable, Equatable {
        case txt2img
        /// img2img from `initImage`.
        case img2img(initImage: RGBAImage)
        /// Inpainting `initImage` where `mask` is white.
        case inpaint(initImage: RGBAImage, mask: RGBAImage)
    }

    public var mode: Mode = .txt2img
    public var prompt: String = ""
    public var negativePrompt: String = ""
    public var steps: Int = 20
    /// "Sampling method", e.g. "Euler a" (legacy names such as "DPM++ 2M Karras" too).
    public var sampler: String = "Euler a"
    /// "Schedule type"; nil or "Automatic" = the sampler's default.
    public var scheduler: String? = nil
    public var cfgScale: Float = 7
    /// −1 = random.
    public var seed: Int64 = -1
    public var subseed: Int64 = -1
    public var subseedStrength: Float = 0
    /// "Resize seed from width/height": noise drawn at this size and pasted centred (≤ 0 = off).
    public var seedResizeFromWidth: Int = 0
    public var seedResizeFromHeight: Int = 0
    public var width: Int = 512
    public var height: Int = 512
    public var denoisingStrength: Double = 0.75
    public var resizeMode: ResizeMode = .justResize
    /// "Mask blur" (`mask_blur`): sets both directions unless `maskBlurX` / `maskBlurY` override one.
    public var maskBlur: Double = 4
    /// API `mask_blur_x` / `mask_blur_y`: a different horizontal or vertical blur; nil = `maskBlur`.
    public var maskBlurX: Double? = nil
    public var maskBlurY: Double? = nil
    public var inpaintingFill: MaskedContent = .original
    public var inpaintFullRes: Bool = false
    public var inpaintFullResPadding: Int = 32
    public var inpaintingMaskInvert: Bool = false
    /// "Clip skip" (1 = off).
    public var clipSkip: Int = 1
    public var controlNets: [ControlNetUnit] = []
    /// A1111 "Random number generator source": NV (what NVIDIA GPUs give, the default) or CPU.
    public var rng: RNGSource = .nv
    /// Tiled Diffusion (MultiDiffusion / Mixture of Diffusers over latent tiles); nil = off.
    public var tiledDiffusion: TiledDiffusionSettings? = nil
    /// "Batch size": images sampled together in one batch (A1111 `batch_size`).
    public var batchSize: Int = 1
    /// "Batch count": batches run one after another (A1111 `n_iter`).
    public var batchCount: Int = 1
    /// "SD VAE" override: a VAE file path, or a name looked up in the models folder's VAE
    /// folder; nil = the checkpoint's own VAE.
    public var vae: String? = nil
    /// A1111's `img2img_color_correction` setting: match the generated colours to the init image.
    public var colorCorrection: Bool = false
    /// A1111's `img2img_fix_steps` setting: img2img runs the full step count (on a longer schedule)
    /// instead of `denoising_strength · steps`.
    public var fixSteps: Bool = false
    /// "Eta" (API `eta`); nil = the sampler's default setting (`eta_ancestral` 1, `eta_ddim` 0).
    public var eta: Float? = nil
    /// "Eta noise seed delta" (`eta_noise_seed_delta`, ENSD): later noise draws come from `seed + ENSD`.
    public var etaNoiseSeedDelta: Int64 = 0
    /// "Noise multiplier for img2img" (`initial_noise_multiplier`, 0…1.5).
    public var initialNoiseMultiplier: Float = 1
    /// "Extra noise multiplier for img2img" (`img2img_extra_noise`, 0…1).
    public var extraNoise: Float = 0
    /// "Inpainting conditioning mask strength" (`inpainting_mask_weight`, 0…1), for 9-channel
    /// inpainting checkpoints.
    public var inpaintingMaskWeight: Double = 1

    public init() {}

    /// The "Sampling method" A1111's UI starts with (its first listed sampler); the CLI and job files default to
    /// it, while `sampler`'s own default is the API's.
    public static let uiDefaultSampler = "DPM++ 2M"

    /// Images the job makes: `batch_size · n_iter`.
    public var imageCount: Int { batchSize * batchCount }

    /// The mask blur in each direction, as A1111 applies it.
    public var effectiveMaskBlur: (x: Double, y: Double) { (maskBlurX ?? maskBlur, maskBlurY ?? maskBlur) }

    /// Whether an init image is used.
    public var isImg2Img: Bool { if case .txt2img = mode { return false } else { return true } }

    /// Checks ranges A1111's UI enforces; each error names the field.
    public func validate() throws {
        guard steps >= 1, steps <= 150 else { throw PipelineError("steps", "must be in 1...150, got \(steps)") }
        guard width >= 64, height >= 64, width <= 8192, height <= 8192 else {
            throw PipelineError("width/height", "\(width)x\(height) must be between 64 and 8192")
        }
        guard cfgScale >= 0, cfgScale <= 30 else { throw PipelineError("cfg_scale", "must be in 0...30, got \(cfgScale)") }
        guard subseedStrength >= 0, subseedStrength <= 1 else {
            throw PipelineError("subseed_strength", "must be in 0...1, got \(subseedStrength)")
        }
        guard denoisingStrength >= 0, denoisingStrength <= 1 else {
            throw PipelineError("denoising_strength", "must be in 0...1, got \(denoisingStrength)")
        }
        for (field, value) in [("mask_blur", maskBlur), ("mask_blur_x", maskBlurX ?? 0), ("mask_blur_y", maskBlurY ?? 0)] {
            guard value >= 0, value <= 64 else { throw PipelineError(field, "must be in 0...64, got \(value)") }
        }
        if let eta, !(eta >= 0 && eta <= 1) { throw PipelineError("eta", "must be in 0...1, got \(eta)") }
        guard initialNoiseMultiplier >= 0, initialNoiseMultiplier <= 1.5 else {
            throw PipelineError("initial_noise_multiplier", "must be in 0...1.5, got \(initialNoiseMultiplier)")
        }
        guard extraNoise >= 0, extraNoise <= 1 else { throw PipelineError("img2img_extra_noise", "must be in 0...1, got \(extraNoise)") }
        guard inpaintingMaskWeight >= 0, inpaintingMaskWeight <= 1 else {
            throw PipelineError("inpainting_mask_weight", "must be in 0...1, got \(inpaintingMaskWeight)")
        }
        guard inpaintFullResPadding >= 0 else { throw PipelineError("inpaint_full_res_padding", "must be ≥ 0, got \(inpaintFullResPadding)") }
        guard batchSize >= 1, batchSize <= 8 else { throw PipelineError("batch_size", "must be in 1...8, got \(batchSize)") }
        guard batchCount >= 1, batchCount <= 100 else { throw PipelineError("n_iter (batch count)", "must be in 1...100, got \(batchCount)") }
        try PromptValidator.validate(prompt, field: "prompt")
        try PromptValidator.validate(negativePrompt, field: "negative prompt")
        if case let .inpaint(image, mask) = mode, image.width != mask.width || image.height != mask.height {
            throw PipelineError("mask", "is \(mask.width)x\(mask.height) but the init image is \(image.width)x\(image.height); they must be the same size")
        }
        for unit in controlNets { try unit.validate() }
        try tiledDiffusion?.validate()
        if tiledDiffusion != nil, batchSize != 1 {
            throw PipelineError("batch_size", "must be 1 with Tiled Diffusion (tiles are fused per image; use batch count), got \(batchSize)")
        }
    }
}
