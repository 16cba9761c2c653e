/// How the tensors of an original LDM single-file SD1.x checkpoint split into components, by
/// stored name and shape alone (no weights are read).
public struct LDMLayout: Sendable, Equatable {
    /// Stored-name prefixes of the three components.
    public static let unetPrefix = "model.diffusion_model."
    public static let vaePrefix = "first_stage_model."
    public static let textEncoderPrefix = "cond_stage_model.transformer."

    /// Canonical diffusers UNet names.
    public var unet: KeyMapping
    /// Canonical diffusers AutoencoderKL names.
    public var vae: KeyMapping
    /// Canonical transformers CLIPTextModel names.
    public var textEncoder: KeyMapping
    /// Stored names that are not weights of any component, plus names under a component's
    /// prefix that the layout cannot place.
    public var partition: KeyPartition

    /// Splits `shapes` (stored name → shape). Does not judge the model family; see `SD1Family`.
    public init(shapes: [String: [Int]]) {
        let (u, uu) = LDMUNetKeys.mapping(shapes: shapes, prefix: Self.unetPrefix)
        let (v, vu) = LDMVAEKeys.mapping(shapes: shapes, prefix: Self.vaePrefix)
        let (t, ti, tu) = LDMTextEncoderKeys.mapping(shapes: shapes, prefix: Self.textEncoderPrefix)
        unet = u
        vae = v
        textEncoder = t
        var partition = KeyPartition()
        // Some VAE fine-tunes keep the training loss (LPIPS, discriminator) under first_stage_model.loss.*.
        let vaeLoss = vu.filter { $0.hasPrefix(Self.vaePrefix + "loss.") }
        partition.unplaced = (uu + vu.filter { !$0.hasPrefix(Self.vaePrefix + "loss.") } + tu).sorted()
        let prefixes = [Self.unetPrefix, Self.vaePrefix, Self.textEncoderPrefix]
        partition.ignored = (ti + vaeLoss + shapes.keys.filter { name in !prefixes.contains { name.hasPrefix($0) } }).sorted()
        self.partition = partition
    }
}

extension LDMLayout {
    /// Infers each present component's configuration and checks every tensor against it.
    public func validatedConfigs(path: String) throws -> (UNetConfig?, VAEConfig?, TextEncoderConfig?) {
        var u: UNetConfig?
        var v: VAEConfig?
        var t: TextEncoderConfig?
        if !unet.sources.isEmpty {
            let c = try UNetConfig.infer(shapes: unet.shapes, path: path)
            try ShapeCheck.require(unet.shapes, matches: c.expectedShapes(), component: "UNet", path: path)
            u = c
        }
        if !vae.sources.isEmpty {
            let c = try VAEConfig.infer(shapes: vae.shapes, path: path)
            try ShapeCheck.require(vae.shapes, matches: c.expectedShapes(), component: "VAE", path: path)
            v = c
        }
        if !textEncoder.sources.isEmpty {
            let c = try TextEncoderConfig.infer(shapes: textEncoder.shapes, path: path)
            try ShapeCheck.require(textEncoder.shapes, matches: c.expectedShapes(), component: "text encoder", path: path)
            t = c
        }
        return (u, v, t)
    }
}

/// Names that are never model weights in SD1.x files: loaders skip them without complaint.
public enum NonWeightKeys {
    /// DDPM schedule buffers LatentDiffusion registers (recomputed from the schedule by samplers).
    public static let scheduleBuffers: Set<String> = [
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
        "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
        "logvar", "lvlb_weights",
    ]

    /// Whether `name` is a schedule buffer, an EMA copy, a `position_ids` buffer or training state.
    public static func isIgnorable(_ name: String) -> Bool {
        scheduleBuffers.contains(name) || name.hasPrefix("model_ema.") || name.hasSuffix("position_ids")
    }
}
