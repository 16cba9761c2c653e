import TesseraImaging
import TesseraSampling

/// What a client asks the cluster to do: upscale one image in tiles.
///
/// Coding keys follow Ultimate SD Upscale / A1111 names (`tile_width`, `padding`, `redraw_mode`, …) so job files read
/// like the parameters an A1111 user already knows.
public struct UpscaleJobSpec: Codable, Sendable, Equatable {
    /// Renderer name, e.g. "lanczos", "bicubic", "nearest" (A1111 upscaler name, lower-cased).
    public var upscaler: String
    /// Scale factor; ignored when both `width` and `height` are set.
    public var scale: Double
    /// Explicit target size (A1111 "custom width/height"); 0 means "from scale".
    public var width: Int
    public var height: Int
    public var tileWidth: Int
    /// 0 means "same as tile width" (USDU convention).
    public var tileHeight: Int
    public var padding: Int
    /// Width of the cross-faded overlap between neighbouring tiles (Tessera's own setting; A1111 has none).
    /// nil = min(32, 2 × padding), kept even and below the tile size.
    public var feather: Int?
    public var order: TileOrder
    /// 0…100, higher first; FIFO within one priority.
    public var priority: Int
    /// Stable Diffusion redraw settings; set exactly when `upscaler` is `DiffusionUpscaleSettings.rendererName`.
    public var diffusion: DiffusionUpscaleSettings?
    /// Latent-space Tiled Diffusion over the whole image instead of independent pixel tiles (needs `diffusion`);
    /// distributed per model call by the coordinator (docs/distributed-multidiffusion.md).
    public var tiledDiffusion: TiledDiffusionJobSettings? = nil
    /// Feathered parallel tiles (default) or Ultimate SD Upscale's causal redraw; `usdu` needs a diffusion job.
    public var tileMode: TileMode
    /// `mask_blur` (σ of A1111's mask blur) of the `usdu` redraw tiles and of an inpaint job's mask (default 8, USDU's).
    public var maskBlur: Int
    /// Seams fix passes after the redraw (diffusion jobs only).
    public var seamsFixType: SeamsFixType
    /// Band width of the band pass.
    public var seamsFixWidth: Int
    /// Denoising strength of the seams fix jobs.
    public var seamsFixDenoise: Double
    /// Mask blur of the half-tile (and intersection) jobs.
    public var seamsFixMaskBlur: Int
    /// "Only masked" padding of the band pass and half-tile jobs (intersection jobs use 0, as USDU does).
    public var seamsFixPadding: Int
    /// A txt2img / img2img / inpaint job instead of an upscale: set exactly when `upscaler` is
    /// `GenerationJobSettings.rendererName`; the tile settings are then unused (the job is one tile, the image).
    public var generation: GenerationJobSettings? = nil
    /// Inpaint job: the job comes with a mask (white = repaint, output size) blurred with `mask_blur`; only tiles
    /// whose context meets the blurred mask are redrawn, every other pixel is the pre-upscaled source unchanged.
    public var inpaint: Bool

    public static let defaultPriority = 50

    public init(
        upscaler: String = "lanczos", scale: Double = 2, width: Int = 0, height: Int = 0, tileWidth: Int = 512,
        tileHeight: Int = 0, padding: Int = 32, feather: Int? = nil, order: TileOrder = .linear,
        priority: Int = defaultPriority, diffusion: DiffusionUpscaleSettings? = nil, tileMode: TileMode = .feather,
        maskBlur: Int = 8, seamsFixType: SeamsFixType = .none, seamsFixWidth: Int = 64, seamsFixDenoise: Double = 0.35,
        seamsFixMaskBlur: Int = 4, seamsFixPadding: Int = 16, inpaint: Bool = false
    ) {
        self.upscaler = upscaler
        self.scale = scale
        self.width = width
        self.height = height
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.padding = padding
        self.feather = feather
        self.order = order
        self.priority = priority
        self.diffusion = diffusion
        self.tileMode = tileMode
        self.maskBlur = maskBlur
        self.seamsFixType = seamsFixType
        self.seamsFixWidth = seamsFixWidth
        self.seamsFixDenoise = seamsFixDenoise
        self.seamsFixMaskBlur = seamsFixMaskBlur
        self.seamsFixPadding = seamsFixPadding
        self.inpaint = inpaint
    }

    enum CodingKeys: String, CodingKey {
        case upscaler, scale, width, height
        case tileWidth = "tile_width"
        case tileHeight = "tile_height"
        case padding, feather
        case order = "redraw_mode"
        case priority, diffusion
        case tiledDiffusion = "tiled_diffusion"
        case tileMode = "tile_mode"
        case maskBlur = "mask_blur"
        case seamsFixType = "seams_fix_type"
        case seamsFixWidth = "seams_fix_width"
        case seamsFixDenoise = "seams_fix_denoise"
        case seamsFixMaskBlur = "seams_fix_mask_blur"
        case seamsFixPadding = "seams_fix_padding"
        case inpaint, generation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UpscaleJobSpec()
        upscaler = try c.decodeIfPresent(String.self, forKey: .upscaler) ?? d.upscaler
        // TOML distinguishes `2` from `2.0`; a scale is accepted either way.
        if let whole = try? c.decodeIfPresent(Int.self, forKey: .scale) {
            scale = Double(whole)
        } else {
            scale = try c.decodeIfPresent(Double.self, forKey: .scale) ?? d.scale
        }
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? d.height
        tileWidth = try c.decodeIfPresent(Int.self, forKey: .tileWidth) ?? d.tileWidth
        tileHeight = try c.decodeIfPresent(Int.self, forKey: .tileHeight) ?? d.tileHeight
        padding = try c.decodeIfPresent(Int.self, forKey: .padding) ?? d.padding
        feather = try c.decodeIfPresent(Int.self, forKey: .feather)
        order = try c.decodeIfPresent(TileOrder.self, forKey: .order) ?? d.order
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? d.priority
        diffusion = try c.decodeIfPresent(DiffusionUpscaleSettings.self, forKey: .diffusion)
        tiledDiffusion = try c.decodeIfPresent(TiledDiffusionJobSettings.self, forKey: .tiledDiffusion)
        if let mode = try c.decodeIfPresent(String.self, forKey: .tileMode) {
            tileMode = try TileMode(parsing: mode)
        } else {
            tileMode = d.tileMode
        }
        maskBlur = try c.decodeIfPresent(Int.self, forKey: .maskBlur) ?? d.maskBlur
        seamsFixType = try c.decodeIfPresent(SeamsFixType.self, forKey: .seamsFixType) ?? d.seamsFixType
        seamsFixWidth = try c.decodeIfPresent(Int.self, forKey: .seamsFixWidth) ?? d.seamsFixWidth
        seamsFixDenoise = try DiffusionUpscaleSettings.decodeNumber(c, .seamsFixDenoise) ?? d.seamsFixDenoise
        seamsFixMaskBlur = try c.decodeIfPresent(Int.self, forKey: .seamsFixMaskBlur) ?? d.seamsFixMaskBlur
        seamsFixPadding = try c.decodeIfPresent(Int.self, forKey: .seamsFixPadding) ?? d.seamsFixPadding
        inpaint = try c.decodeIfPresent(Bool.self, forKey: .inpaint) ?? d.inpaint
        generation = try c.decodeIfPresent(GenerationJobSettings.self, forKey: .generation)
    }

    /// A generation job for `settings` (priority as given).
    public static func generation(_ settings: GenerationJobSettings, priority: Int = defaultPriority) -> UpscaleJobSpec {
        var spec = UpscaleJobSpec(upscaler: GenerationJobSettings.rendererName, priority: priority)
        spec.generation = settings
        return spec
    }

    /// True when tiles depend on earlier tiles' output (USDU redraw or any seams fix pass), so they are dispatched in
    /// dependency order instead of all at once.
    public var isCausal: Bool { tileMode == .usdu || seamsFixType != .none }

    /// The tile height actually used (USDU: 0 takes the width).
    public var effectiveTileHeight: Int { tileHeight == 0 ? tileWidth : tileHeight }

    /// The feather width actually used.
    public var effectiveFeather: Int {
        if let feather { return feather }
        let wanted = min(32, 2 * padding, tileWidth - 8)
        return max(0, wanted - wanted % 2)
    }

    /// Output size for a source of `sourceWidth` × `sourceHeight`: the explicit size when given, else source × scale
    /// rounded down (A1111's `int(w * scale)`); a generation job's own size.
    public func targetSize(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        if let generation { return generation.outputSize }
        if width > 0 && height > 0 { return (width, height) }
        if width > 0 {
            return (width, max(1, Int((Double(sourceHeight) * Double(width) / Double(sourceWidth)).rounded())))
        }
        if height > 0 {
            return (max(1, Int((Double(sourceWidth) * Double(height) / Double(sourceHeight)).rounded())), height)
        }
        return (max(1, Int(Double(sourceWidth) * scale)), max(1, Int(Double(sourceHeight) * scale)))
    }

    /// Checks ranges; the error names the offending field.
    public func validate() throws {
        func bad(_ field: String, _ reason: String) -> ClusterError { .invalidParameter(field: field, reason: reason) }
        guard !upscaler.isEmpty else { throw bad("upscaler", "must not be empty") }
        guard scale.isFinite, scale > 0, scale <= 16 else { throw bad("scale", "must be in (0, 16], got \(scale)") }
        guard (0...16384).contains(width) else { throw bad("width", "must be in 0...16384, got \(width)") }
        guard (0...16384).contains(height) else { throw bad("height", "must be in 0...16384, got \(height)") }
        guard (16...4096).contains(tileWidth), tileWidth % 8 == 0 else {
            throw bad("tile_width", "must be a multiple of 8 in 16...4096, got \(tileWidth)")
        }
        guard tileHeight == 0 || tileHeight == tileWidth else {
            throw bad("tile_height", "must be 0 or equal to tile_width (tiles are square), got \(tileHeight)")
        }
        guard (0...512).contains(padding) else { throw bad("padding", "must be in 0...512, got \(padding)") }
        let f = effectiveFeather
        guard f >= 0, f % 2 == 0, f <= 2 * padding, f < tileWidth else {
            throw bad("feather", "must be even, at most 2 × padding (\(2 * padding)) and below tile_width, got \(f)")
        }
        guard (0...100).contains(priority) else { throw bad("priority", "must be in 0...100, got \(priority)") }
        if upscaler == GenerationJobSettings.rendererName || generation != nil {
            try validateGeneration()
            return
        }
        if let tiledDiffusion {
            guard let diffusion else { throw bad("tiled_diffusion", "needs the job's [diffusion] settings") }
            if try tiledDiffusion.settings().noiseInversion != nil, (try? SamplerKind(parsing: diffusion.sampler)) != .euler {
                throw bad("tiled_diffusion.noise_inversion", "runs with the Euler sampler only (the Tiled Diffusion extension requires it); diffusion.sampler is \"\(diffusion.sampler)\"")
            }
            guard !isCausal, !inpaint else {
                throw bad("tiled_diffusion", "runs over the whole latent and cannot be combined with tile_mode \"usdu\", a seams fix or an inpaint mask")
            }
        }
        guard (0...64).contains(maskBlur) else { throw bad("mask_blur", "must be in 0...64, got \(maskBlur)") }
        guard (0...128).contains(seamsFixWidth), seamsFixWidth > 0 || seamsFixType != .bandPass else {
            throw bad("seams_fix_width", "must be in 1...128 for the band pass (0...128 otherwise), got \(seamsFixWidth)")
        }
        guard seamsFixDenoise.isFinite, seamsFixDenoise > 0, seamsFixDenoise <= 1 else {
            throw bad("seams_fix_denoise", "must be in (0, 1], got \(seamsFixDenoise)")
        }
        guard (0...64).contains(seamsFixMaskBlur) else {
            throw bad("seams_fix_mask_blur", "must be in 0...64, got \(seamsFixMaskBlur)")
        }
        guard (0...128).contains(seamsFixPadding) else {
            throw bad("seams_fix_padding", "must be in 0...128, got \(seamsFixPadding)")
        }
        if upscaler != DiffusionUpscaleSettings.rendererName {
            if tileMode != .feather {
                throw bad("tile_mode", "\"\(tileMode.rawValue)\" redraws tiles with Stable Diffusion and needs upscaler \"\(DiffusionUpscaleSettings.rendererName)\", got \"\(upscaler)\"")
            }
            if seamsFixType != .none {
                throw bad("seams_fix_type", "\"\(seamsFixType.flagName)\" redraws seams with Stable Diffusion and needs upscaler \"\(DiffusionUpscaleSettings.rendererName)\", got \"\(upscaler)\"")
            }
        }
        if inpaint {
            guard upscaler == DiffusionUpscaleSettings.rendererName else {
                throw bad("mask", "inpainting redraws with Stable Diffusion and needs upscaler \"\(DiffusionUpscaleSettings.rendererName)\", got \"\(upscaler)\"")
            }
            guard !isCausal else {
                throw bad("mask", "inpaint jobs run feathered tiles only (tile_mode \"feather\", seams_fix_type \"none\")")
            }
        }
        if let diffusion, isCausal || inpaint, ClassicalUpscaler.filter(named: diffusion.preUpscaler) == nil {
            throw bad("pre_upscaler", "tile_mode \"usdu\", seams fix and inpaint jobs need a classical pre-upscaler (\(ClassicalUpscaler.names.joined(separator: ", "))), got \"\(diffusion.preUpscaler)\"")
        }
        if upscaler == DiffusionUpscaleSettings.rendererName {
            guard let diffusion else { throw bad("diffusion", "settings are required when upscaler is \"\(upscaler)\"") }
            try diffusion.validate()
        } else if diffusion != nil {
            throw bad("diffusion", "settings need upscaler \"\(DiffusionUpscaleSettings.rendererName)\", got \"\(upscaler)\"")
        }
    }

    /// A generation job uses none of the upscale settings; giving one is a mistake worth naming.
    private func validateGeneration() throws {
        func bad(_ field: String, _ reason: String) -> ClusterError { .invalidParameter(field: field, reason: reason) }
        guard let generation else {
            throw bad("generation", "settings are required when upscaler is \"\(GenerationJobSettings.rendererName)\"")
        }
        guard upscaler == GenerationJobSettings.rendererName else {
            throw bad("generation", "settings need upscaler \"\(GenerationJobSettings.rendererName)\", got \"\(upscaler)\"")
        }
        // Upscale settings would be silently unused: the output size is generation.width × height.
        var upscaleSettings = self
        upscaleSettings.generation = nil
        upscaleSettings.upscaler = UpscaleJobSpec().upscaler
        upscaleSettings.priority = UpscaleJobSpec.defaultPriority
        guard upscaleSettings == UpscaleJobSpec() else {
            throw bad("generation", "a generation job takes no upscale settings (scale, width, tiles, diffusion, inpaint, seams fix …); its size is generation.width × generation.height")
        }
        guard generation.batchSize == 1, generation.batchCount == 1 else {
            throw bad("generation.batch_size", "a submitted job makes one image; split batch_size × n_iter into jobs first (tessera submit does)")
        }
        try generation.validate()
        let size = generation.outputSize
        guard size.width * size.height <= 1 << 26 else {
            throw bad("generation.width", "\(size.width)×\(size.height) is larger than one tile can render (2^26 pixels)")
        }
    }
}
