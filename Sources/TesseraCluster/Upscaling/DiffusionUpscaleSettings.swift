import Foundation
import TesseraImageOps
import TesseraPipelines
import TesseraSampling

/// The Stable Diffusion side of an Ultimate-SD-Upscale-style job: every tile of the pre-upscaled image is redrawn by
/// img2img with these settings (A1111 names in the coding keys).
///
/// A job carries these settings when its `upscaler` is `DiffusionUpscaleSettings.rendererName`; the pre-upscale
/// filter is then `preUpscaler`.
public struct DiffusionUpscaleSettings: Codable, Sendable, Equatable {
    /// The upscaler name a diffusion job carries, and the renderer name a worker with a checkpoint advertises.
    public static let rendererName = "diffusion"

    /// Checkpoint: a path, or a name looked up in the worker's models folder.
    public var checkpoint: String
    /// Classical filter that pre-upscales the source before the redraw (USDU's "upscaler").
    public var preUpscaler: String
    public var prompt: String
    public var negativePrompt: String
    /// "Sampling method", e.g. "Euler a".
    public var sampler: String
    public var steps: Int
    public var cfgScale: Double
    public var denoisingStrength: Double
    /// Job seed; must be resolved (≥ 0) before the job is split, so every worker derives the same tile seeds.
    public var seed: Int64
    /// USDU's behaviour when true: every tile uses `seed`; otherwise tile i uses `seed + i` (see `TileSeed`).
    public var sameSeedForAllTiles: Bool
    /// Optional Tile ControlNet whose hint is the tile's own context crop of the pre-upscaled image.
    public var controlNetTile: DiffusionControlNetTile?
    /// StableSR colour fix of every redrawn tile against its pre-upscaled source crop (`color_fix`: wavelet, adain,
    /// none); wavelet by default, against tile colour drift.
    public var colorFix: ColorFix

    public init(
        checkpoint: String, preUpscaler: String = "lanczos", prompt: String = "", negativePrompt: String = "",
        sampler: String = "Euler a", steps: Int = 20, cfgScale: Double = 7, denoisingStrength: Double = 0.35,
        seed: Int64 = 0, sameSeedForAllTiles: Bool = false, controlNetTile: DiffusionControlNetTile? = nil,
        colorFix: ColorFix = .wavelet
    ) {
        self.checkpoint = checkpoint
        self.preUpscaler = preUpscaler
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.sampler = sampler
        self.steps = steps
        self.cfgScale = cfgScale
        self.denoisingStrength = denoisingStrength
        self.seed = seed
        self.sameSeedForAllTiles = sameSeedForAllTiles
        self.controlNetTile = controlNetTile
        self.colorFix = colorFix
    }

    enum CodingKeys: String, CodingKey {
        case checkpoint
        case preUpscaler = "pre_upscaler"
        case prompt
        case negativePrompt = "negative_prompt"
        case sampler = "sampler_name"
        case steps
        case cfgScale = "cfg_scale"
        case denoisingStrength = "denoising_strength"
        case seed
        case sameSeedForAllTiles = "same_seed_for_all_tiles"
        case controlNetTile = "controlnet_tile"
        case colorFix = "color_fix"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DiffusionUpscaleSettings(checkpoint: "")
        checkpoint = try c.decode(String.self, forKey: .checkpoint)
        preUpscaler = try c.decodeIfPresent(String.self, forKey: .preUpscaler) ?? d.preUpscaler
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt) ?? d.prompt
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt) ?? d.negativePrompt
        sampler = try c.decodeIfPresent(String.self, forKey: .sampler) ?? d.sampler
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        cfgScale = try Self.decodeNumber(c, .cfgScale) ?? d.cfgScale
        denoisingStrength = try Self.decodeNumber(c, .denoisingStrength) ?? d.denoisingStrength
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed) ?? d.seed
        sameSeedForAllTiles = try c.decodeIfPresent(Bool.self, forKey: .sameSeedForAllTiles) ?? d.sameSeedForAllTiles
        controlNetTile = try c.decodeIfPresent(DiffusionControlNetTile.self, forKey: .controlNetTile)
        if let name = try c.decodeIfPresent(String.self, forKey: .colorFix) {
            colorFix = try Self.parseColorFix(name)
        } else {
            colorFix = d.colorFix
        }
    }

    /// `wavelet`, `adain` or `none`, in any letter case; the error names `color_fix`.
    public static func parseColorFix(_ name: String, field: String = "color_fix") throws -> ColorFix {
        guard let fix = ColorFix.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw ClusterError.invalidParameter(
                field: field, reason: "must be one of wavelet, adain, none, got \"\(name)\"")
        }
        return fix
    }

    /// TOML distinguishes `7` from `7.0`; numbers are accepted either way.
    static func decodeNumber<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Double? {
        if let whole = try? c.decodeIfPresent(Int.self, forKey: key) { return Double(whole) }
        return try c.decodeIfPresent(Double.self, forKey: key)
    }

    /// Checks ranges (A1111's UI limits); the error names the field.
    public func validate() throws {
        func bad(_ field: String, _ reason: String) -> ClusterError { .invalidParameter(field: field, reason: reason) }
        guard !checkpoint.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad("checkpoint", "must not be empty") }
        // Any other name is an ESRGAN model that workers resolve (and report by name when missing).
        guard ClassicalUpscaler.filter(named: preUpscaler) != nil || ESRGANPreUpscale.isModelName(preUpscaler) else {
            throw bad("pre_upscaler", "must be a classical filter (\(ClassicalUpscaler.names.joined(separator: ", "))) or an ESRGAN model name")
        }
        do { _ = try SamplerSelection(parsing: sampler, scheduler: nil) } catch { throw bad("sampler_name", "\(error)") }
        guard (1...150).contains(steps) else { throw bad("steps", "must be in 1...150, got \(steps)") }
        guard cfgScale.isFinite, (0...30).contains(cfgScale) else { throw bad("cfg_scale", "must be in 0...30, got \(cfgScale)") }
        guard denoisingStrength.isFinite, denoisingStrength > 0, denoisingStrength <= 1 else {
            throw bad("denoising_strength", "must be in (0, 1], got \(denoisingStrength)")
        }
        guard seed >= 0, seed <= Int64(UInt32.max) else {
            throw bad("seed", "must be resolved to 0...\(UInt32.max) before submitting, got \(seed)")
        }
        try controlNetTile?.validate()
    }
}

/// A Tile ControlNet unit for diffusion upscaling (ControlNet extension field names).
public struct DiffusionControlNetTile: Codable, Sendable, Equatable {
    /// ControlNet model: a path, or a name looked up in the worker's models folder.
    public var model: String
    /// Preprocessor: "tile_resample", "tile_colorfix", "tile_colorfix+sharp" or "none".
    public var module: String
    public var weight: Double
    public var guidanceStart: Double
    public var guidanceEnd: Double
    /// "Balanced", "My prompt is more important" or "ControlNet is more important".
    public var controlMode: String
    /// The preprocessor's first slider (−1 = its default): tile_resample "Down Sampling Rate" (1…8, default 1),
    /// tile_colorfix "Variation" (3…32, default 8).
    public var thresholdA: Double
    /// The second slider (−1 = its default): tile_colorfix+sharp "Sharpness" (0…2, default 1).
    public var thresholdB: Double

    public static let modules = ["tile_resample", "tile_colorfix", "tile_colorfix+sharp", "none"]

    public init(
        model: String, module: String = "tile_resample", weight: Double = 1, guidanceStart: Double = 0,
        guidanceEnd: Double = 1, controlMode: String = "Balanced", thresholdA: Double = -1, thresholdB: Double = -1
    ) {
        self.model = model
        self.module = module
        self.weight = weight
        self.guidanceStart = guidanceStart
        self.guidanceEnd = guidanceEnd
        self.controlMode = controlMode
        self.thresholdA = thresholdA
        self.thresholdB = thresholdB
    }

    enum CodingKeys: String, CodingKey {
        case model, module, weight
        case guidanceStart = "guidance_start"
        case guidanceEnd = "guidance_end"
        case controlMode = "control_mode"
        case thresholdA = "threshold_a"
        case thresholdB = "threshold_b"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DiffusionControlNetTile(model: "")
        model = try c.decode(String.self, forKey: .model)
        module = try c.decodeIfPresent(String.self, forKey: .module) ?? d.module
        weight = try DiffusionUpscaleSettings.decodeNumber(c, .weight) ?? d.weight
        guidanceStart = try DiffusionUpscaleSettings.decodeNumber(c, .guidanceStart) ?? d.guidanceStart
        guidanceEnd = try DiffusionUpscaleSettings.decodeNumber(c, .guidanceEnd) ?? d.guidanceEnd
        controlMode = try c.decodeIfPresent(String.self, forKey: .controlMode) ?? d.controlMode
        thresholdA = try DiffusionUpscaleSettings.decodeNumber(c, .thresholdA) ?? d.thresholdA
        thresholdB = try DiffusionUpscaleSettings.decodeNumber(c, .thresholdB) ?? d.thresholdB
    }

    /// The sliders each module has, with their ranges (the ControlNet extension's).
    static let sliders: [String: (a: ClosedRange<Double>?, b: ClosedRange<Double>?)] = [
        "tile_resample": (1...8, nil), "tile_colorfix": (3...32, nil), "tile_colorfix+sharp": (3...32, 0...2), "none": (nil, nil),
    ]

    /// The pipeline's unit for this tile unit, with the ControlNet model at `path`. No image: the hint is the image
    /// being redrawn (the tile's own crop, or the whole init image cropped per latent tile).
    public func controlNetUnit(path: String) throws -> ControlNetUnit {
        ControlNetUnit(
            model: path, module: module, weight: Float(weight), guidanceStart: Float(guidanceStart),
            guidanceEnd: Float(guidanceEnd), controlMode: try ControlMode(parsing: controlMode),
            thresholdA: thresholdA, thresholdB: thresholdB)
    }

    public func validate() throws {
        func bad(_ field: String, _ reason: String) -> ClusterError {
            .invalidParameter(field: "controlnet_tile.\(field)", reason: reason)
        }
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad("model", "must not be empty") }
        guard Self.modules.contains(module) else {
            throw bad("module", "must be one of \(Self.modules.joined(separator: ", ")), got \"\(module)\"")
        }
        guard weight.isFinite, (0...2).contains(weight) else { throw bad("weight", "must be in 0...2, got \(weight)") }
        guard (0...1).contains(guidanceStart), (0...1).contains(guidanceEnd), guidanceStart <= guidanceEnd else {
            throw bad("guidance_start/guidance_end", "must satisfy 0 ≤ start ≤ end ≤ 1, got \(guidanceStart), \(guidanceEnd)")
        }
        do { _ = try ControlMode(parsing: controlMode) } catch { throw bad("control_mode", "\(error)") }
        let ranges = Self.sliders[module] ?? (nil, nil)
        for (field, value, range) in [("threshold_a", thresholdA, ranges.a), ("threshold_b", thresholdB, ranges.b)] where value != -1 {
            guard let range else { throw bad(field, "\(module) has no such slider: leave it out (or −1), got \(value)") }
            guard range.contains(value) else {
                throw bad(field, "must be −1 (the default) or in \(range.lowerBound)...\(range.upperBound) for \(module), got \(value)")
            }
        }
    }
}
