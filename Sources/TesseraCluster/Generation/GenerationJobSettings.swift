import Foundation
import TesseraImageOps
import TesseraPipelines
import TesseraSampling

/// A txt2img, img2img or inpaint job for the cluster, in the names of A1111's `/sdapi/v1/txt2img` and
/// `/sdapi/v1/img2img` API (and, for the settings A1111 keeps in `override_settings`, its setting names).
///
/// One job is one image: a job file's `batch_size · n_iter` becomes that many jobs with A1111's per-image seeds
/// (`GenerationJobSettings.splitIntoImages`), so a batch spreads over the workers. The job's single tile is the
/// whole image; the worker returns it with its A1111 `parameters` text.
public struct GenerationJobSettings: Codable, Sendable, Equatable {
    /// The upscaler name a generation job carries, and the renderer name of workers that can run it.
    public static let rendererName = "generate"

    public enum Mode: String, Codable, Sendable, CaseIterable {
        case txt2img, img2img, inpaint
    }

    public var mode: Mode
    /// Checkpoint: a path, or a name looked up in the worker's models folder.
    public var checkpoint: String
    /// "SD VAE" (`sd_vae`): a VAE path or name; nil, "Automatic" or "None" = the checkpoint's own.
    public var vae: String?
    public var prompt: String
    public var negativePrompt: String
    public var steps: Int
    /// "Sampling method" (`sampler_name`).
    public var sampler: String
    /// "Schedule type"; nil = the sampler's default.
    public var scheduler: String?
    public var cfgScale: Double
    /// −1 = random, drawn once when the job is submitted.
    public var seed: Int64
    public var subseed: Int64
    public var subseedStrength: Double
    public var seedResizeFromWidth: Int
    public var seedResizeFromHeight: Int
    public var width: Int
    public var height: Int
    public var denoisingStrength: Double
    /// 0 just resize, 1 crop and resize, 2 resize and fill, 3 just resize (latent upscale).
    public var resizeMode: Int
    public var maskBlur: Double
    public var maskBlurX: Double?
    public var maskBlurY: Double?
    /// 0 fill, 1 original, 2 latent noise, 3 latent nothing.
    public var inpaintingFill: Int
    public var inpaintFullRes: Bool
    public var inpaintFullResPadding: Int
    public var inpaintingMaskInvert: Bool
    /// `CLIP_stop_at_last_layers` ("Clip skip").
    public var clipSkip: Int
    /// `randn_source`: "NV" (A1111's default) or "CPU".
    public var randnSource: String
    public var eta: Double?
    public var etaNoiseSeedDelta: Int64
    public var fixSteps: Bool
    public var initialNoiseMultiplier: Double
    public var extraNoise: Double
    public var inpaintingMaskWeight: Double
    public var colorCorrection: Bool
    /// ControlNet units; their hint is the init image (the extension's behaviour when a unit has no image).
    public var controlNets: [GenerationControlNetSettings]
    /// A1111 `batch_size` and `n_iter`: how many images the job file asks for. A submitted job has both 1.
    public var batchSize: Int
    public var batchCount: Int

    /// A1111's defaults (`StableDiffusionProcessing`, and the UI's sampler), for `mode` and `checkpoint`.
    public init(mode: Mode, checkpoint: String) {
        let d = GenerationRequest()
        self.mode = mode
        self.checkpoint = checkpoint
        vae = nil
        prompt = d.prompt
        negativePrompt = d.negativePrompt
        steps = d.steps
        sampler = GenerationRequest.uiDefaultSampler
        scheduler = nil
        cfgScale = Double(d.cfgScale)
        seed = d.seed
        subseed = d.subseed
        subseedStrength = Double(d.subseedStrength)
        seedResizeFromWidth = d.seedResizeFromWidth
        seedResizeFromHeight = d.seedResizeFromHeight
        width = d.width
        height = d.height
        denoisingStrength = d.denoisingStrength
        resizeMode = d.resizeMode.rawValue
        maskBlur = d.maskBlur
        inpaintingFill = d.inpaintingFill.rawValue
        inpaintFullRes = d.inpaintFullRes
        inpaintFullResPadding = d.inpaintFullResPadding
        inpaintingMaskInvert = d.inpaintingMaskInvert
        clipSkip = d.clipSkip
        randnSource = d.rng.rawValue
        eta = nil
        etaNoiseSeedDelta = d.etaNoiseSeedDelta
        fixSteps = d.fixSteps
        initialNoiseMultiplier = Double(d.initialNoiseMultiplier)
        extraNoise = Double(d.extraNoise)
        inpaintingMaskWeight = d.inpaintingMaskWeight
        colorCorrection = d.colorCorrection
        controlNets = []
        batchSize = d.batchSize
        batchCount = d.batchCount
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, checkpoint
        case vae = "sd_vae"
        case prompt
        case negativePrompt = "negative_prompt"
        case steps
        case sampler = "sampler_name"
        case scheduler
        case cfgScale = "cfg_scale"
        case seed, subseed
        case subseedStrength = "subseed_strength"
        case seedResizeFromWidth = "seed_resize_from_w"
        case seedResizeFromHeight = "seed_resize_from_h"
        case width, height
        case denoisingStrength = "denoising_strength"
        case resizeMode = "resize_mode"
        case maskBlur = "mask_blur"
        case maskBlurX = "mask_blur_x"
        case maskBlurY = "mask_blur_y"
        case inpaintingFill = "inpainting_fill"
        case inpaintFullRes = "inpaint_full_res"
        case inpaintFullResPadding = "inpaint_full_res_padding"
        case inpaintingMaskInvert = "inpainting_mask_invert"
        case clipSkip = "CLIP_stop_at_last_layers"
        case randnSource = "randn_source"
        case eta
        case etaNoiseSeedDelta = "eta_noise_seed_delta"
        case fixSteps = "img2img_fix_steps"
        case initialNoiseMultiplier = "initial_noise_multiplier"
        case extraNoise = "img2img_extra_noise"
        case inpaintingMaskWeight = "inpainting_mask_weight"
        case colorCorrection = "img2img_color_correction"
        case controlNets = "controlnet"
        case batchSize = "batch_size"
        case batchCount = "n_iter"
    }

    public init(from decoder: Decoder) throws {
        // A misspelt key would otherwise be ignored and the job run with a default: refuse it instead.
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue), table: "generation")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let modeName = try c.decodeIfPresent(String.self, forKey: .mode) ?? Mode.txt2img.rawValue
        guard let mode = Mode(rawValue: modeName.lowercased()) else {
            throw ClusterError.invalidParameter(
                field: "generation.mode", reason: "must be one of txt2img, img2img, inpaint, got \"\(modeName)\"")
        }
        self.init(mode: mode, checkpoint: try c.decode(String.self, forKey: .checkpoint))
        func number(_ key: CodingKeys, _ fallback: Double) throws -> Double {
            try DiffusionUpscaleSettings.decodeNumber(c, key) ?? fallback
        }
        vae = try c.decodeIfPresent(String.self, forKey: .vae)
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt) ?? prompt
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt) ?? negativePrompt
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? steps
        sampler = try c.decodeIfPresent(String.self, forKey: .sampler) ?? sampler
        scheduler = try c.decodeIfPresent(String.self, forKey: .scheduler)
        cfgScale = try number(.cfgScale, cfgScale)
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed) ?? seed
        subseed = try c.decodeIfPresent(Int64.self, forKey: .subseed) ?? subseed
        subseedStrength = try number(.subseedStrength, subseedStrength)
        seedResizeFromWidth = try c.decodeIfPresent(Int.self, forKey: .seedResizeFromWidth) ?? seedResizeFromWidth
        seedResizeFromHeight = try c.decodeIfPresent(Int.self, forKey: .seedResizeFromHeight) ?? seedResizeFromHeight
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? height
        denoisingStrength = try number(.denoisingStrength, denoisingStrength)
        resizeMode = try c.decodeIfPresent(Int.self, forKey: .resizeMode) ?? resizeMode
        maskBlur = try number(.maskBlur, maskBlur)
        maskBlurX = try DiffusionUpscaleSettings.decodeNumber(c, .maskBlurX)
        maskBlurY = try DiffusionUpscaleSettings.decodeNumber(c, .maskBlurY)
        inpaintingFill = try c.decodeIfPresent(Int.self, forKey: .inpaintingFill) ?? inpaintingFill
        inpaintFullRes = try Self.decodeFlag(c, .inpaintFullRes) ?? inpaintFullRes
        inpaintFullResPadding = try c.decodeIfPresent(Int.self, forKey: .inpaintFullResPadding) ?? inpaintFullResPadding
        inpaintingMaskInvert = try Self.decodeFlag(c, .inpaintingMaskInvert) ?? inpaintingMaskInvert
        clipSkip = try c.decodeIfPresent(Int.self, forKey: .clipSkip) ?? clipSkip
        randnSource = try c.decodeIfPresent(String.self, forKey: .randnSource) ?? randnSource
        eta = try DiffusionUpscaleSettings.decodeNumber(c, .eta)
        etaNoiseSeedDelta = try c.decodeIfPresent(Int64.self, forKey: .etaNoiseSeedDelta) ?? etaNoiseSeedDelta
        fixSteps = try c.decodeIfPresent(Bool.self, forKey: .fixSteps) ?? fixSteps
        initialNoiseMultiplier = try number(.initialNoiseMultiplier, initialNoiseMultiplier)
        extraNoise = try number(.extraNoise, extraNoise)
        inpaintingMaskWeight = try number(.inpaintingMaskWeight, inpaintingMaskWeight)
        colorCorrection = try c.decodeIfPresent(Bool.self, forKey: .colorCorrection) ?? colorCorrection
        controlNets = try c.decodeIfPresent([GenerationControlNetSettings].self, forKey: .controlNets) ?? []
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        batchCount = try c.decodeIfPresent(Int.self, forKey: .batchCount) ?? batchCount
    }

    /// A1111's API sends `inpaint_full_res` and `inpainting_mask_invert` as 0/1; TOML users write true/false.
    static func decodeFlag(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Bool? {
        if let number = try? c.decodeIfPresent(Int.self, forKey: key) {
            guard number == 0 || number == 1 else {
                throw ClusterError.invalidParameter(field: "generation.\(key.rawValue)", reason: "must be 0, 1, true or false, got \(number)")
            }
            return number == 1
        }
        return try c.decodeIfPresent(Bool.self, forKey: key)
    }

    /// The size of the output image: A1111 renders at the requested size rounded down to multiples of 8.
    public var outputSize: (width: Int, height: Int) { (width / 8 * 8, height / 8 * 8) }

    /// The models a worker needs: checkpoint, VAE override, ControlNet models and the prompt's LoRAs.
    public var modelRequirements: [ModelRequirement] {
        var requirements = [ModelRequirement(kind: .checkpoint, reference: checkpoint)]
        if let vae, !VAESelection.meansCheckpointVAE(vae) { requirements.append(ModelRequirement(kind: .vae, reference: vae)) }
        requirements += controlNets.map { ModelRequirement(kind: .controlNet, reference: $0.model) }
        return requirements + ModelRequirement.loras(inPrompt: prompt)
    }
}
