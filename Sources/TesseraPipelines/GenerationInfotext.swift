import Foundation
import TesseraImageOps
import TesseraImaging
import TesseraPrompt
import TesseraSampling

/// The A1111 `parameters` text of a generation, and PNG files carrying it.
public enum GenerationInfotext {
    /// Tessera's `Version` value.
    public static let version = "tessera"

    /// The settings A1111 would record for `request` (prompt as typed, LoRA tags included).
    public static func parameters(for request: GenerationRequest, selection: SamplerSelection, seed: Int64, subseed: Int64,
                                  width: Int, height: Int, model: StableDiffusionModel?,
                                  loraHashes: [(name: String, hash: String)],
                                  vae: (name: String, hash: String?)? = nil) -> GenerationParameters {
        var extra: [InfotextField] = []
        if case .inpaint = request.mode {
            // A1111 reports the blur only when both directions agree (`mask_blur` is None otherwise).
            let blur = request.effectiveMaskBlur
            if blur.x == blur.y, blur.x > 0 { extra.append(InfotextField("Mask blur", PythonNumber.format(blur.x))) }
            if request.inpaintingMaskInvert { extra.append(InfotextField("Mask mode", "Inpaint not masked")) }
            // A1111 records the masked content only for "fill"; a missing key reads back as "original".
            if request.inpaintingFill == .fill { extra.append(InfotextField("Masked content", request.inpaintingFill.label)) }
            if request.inpaintFullRes {
                extra.append(InfotextField("Inpaint area", "Only masked"))
                extra.append(InfotextField("Masked area padding", String(request.inpaintFullResPadding)))
            }
        }
        if request.isImg2Img, request.resizeMode != .justResize {
            extra.append(InfotextField("Resize mode", request.resizeMode.label))
        }
        for (index, unit) in request.controlNets.enumerated() {
            extra.append(InfotextField("ControlNet \(index)", unit.infotextValue))
        }
        if !loraHashes.isEmpty {
            extra.append(InfotextField("Lora hashes", GenerationParameters.loraHashesValue(loraHashes)))
        }
        // Added while sampling, in A1111's order: the img2img start noise, then the sampler's eta.
        if request.isImg2Img, request.initialNoiseMultiplier != 1 {
            extra.append(InfotextField("Noise multiplier", String(request.initialNoiseMultiplier)))
        }
        if request.isImg2Img, request.extraNoise > 0 { extra.append(InfotextField("Extra noise", String(request.extraNoise))) }
        let sampler = selection.sampler
        if sampler.takesEta, let eta = request.eta, eta != sampler.defaultEta {
            extra.append(InfotextField(sampler.etaInfotextKey, String(eta)))
        }
        let usesENSD = request.etaNoiseSeedDelta != 0 && sampler.usesENSD && (request.eta ?? sampler.defaultEta) != 0
        return GenerationParameters(
            prompt: request.prompt, negativePrompt: request.negativePrompt, steps: request.steps,
            sampler: selection.sampler.label, scheduleType: selection.scheduler.label, cfgScale: Double(request.cfgScale),
            seed: Int(seed), width: width, height: height, modelHash: model?.autoV2Hash, modelName: model?.name,
            vaeHash: vae?.hash, vaeName: vae?.name,
            variationSeed: Int(subseed), variationSeedStrength: Double(request.subseedStrength),
            seedResizeFromWidth: request.seedResizeFromWidth, seedResizeFromHeight: request.seedResizeFromHeight,
            denoisingStrength: request.isImg2Img ? request.denoisingStrength : nil,
            conditionalMaskWeight: (model?.isInpaintingModel ?? false) && request.isImg2Img ? request.inpaintingMaskWeight : nil,
            clipSkip: request.clipSkip, etaNoiseSeedDelta: usesENSD ? Int(request.etaNoiseSeedDelta) : nil, rng: request.rng.rawValue, extra: extra, version: version)
    }

    /// Writes `image` as an RGB PNG with the `parameters` text chunk.
    public static func writePNG(_ image: RGBAImage, parameters: GenerationParameters, to path: String) throws {
        try image.writePNG(to: path, format: .rgb8, textChunks: [PNGTextChunk.parameters(parameters.infotext.text)])
    }

    /// The `parameters` text of a PNG file; throws naming the file when it has none.
    public static func readText(fromPNG path: String) throws -> String {
        guard let text = try PNGImage.read(path: path).parameters else {
            throw PipelineError(path, "has no 'parameters' text chunk (not written by A1111 or Tessera)")
        }
        return text
    }

    /// The parsed generation settings of a PNG file.
    public static func read(fromPNG path: String) throws -> GenerationParameters {
        try GenerationParameters(infotext: Infotext(parsing: readText(fromPNG: path)))
    }
}

/// Python `str()` of a float as A1111 writes UI numbers (`4` for integral values is not Python's
/// behaviour for floats, but A1111 stores mask blur as an int).
enum PythonNumber {
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}

extension GenerationRequest {
    private static func float(_ field: InfotextField) throws -> Float {
        guard let value = Float(field.value) else { throw PipelineError(field.key, "'\(field.value)' is not a number") }
        return value
    }

    /// A request that reruns the job recorded in `parameters` (A1111 "Send to txt2img/img2img"):
    /// prompts, steps, sampler, schedule, CFG, seeds, size, denoising strength, clip skip and the
    /// inpaint settings. The mode (and init image, mask) come from `mode`.
    public init(parameters p: GenerationParameters, mode: Mode = .txt2img) throws {
        self.init()
        self.mode = mode
        prompt = p.prompt
        negativePrompt = p.negativePrompt
        steps = p.steps
        sampler = p.sampler
        scheduler = p.scheduleType
        cfgScale = Float(p.cfgScale)
        seed = Int64(p.seed)
        subseed = Int64(p.variationSeed ?? -1)
        subseedStrength = Float(p.variationSeedStrength)
        seedResizeFromWidth = p.seedResizeFromWidth
        seedResizeFromHeight = p.seedResizeFromHeight
        width = p.width
        height = p.height
        if let d = p.denoisingStrength { denoisingStrength = d }
        clipSkip = p.clipSkip
        etaNoiseSeedDelta = Int64(p.etaNoiseSeedDelta ?? 0)
        if let w = p.conditionalMaskWeight { inpaintingMaskWeight = w }
        // A1111's default "GPU" on NVIDIA hardware is the stream NV imitates.
        rng = p.rng == "GPU" ? .nv : try RNGSource(parsing: p.rng)
        vae = p.vaeName
        for field in p.extra {
            if ControlNetUnit.infotextIndex(key: field.key) != nil {
                // Units are re-parsed in key order (an unserialisable unit is written empty and
                // skipped); their images are not recorded (A1111 neither).
                if let unit = try ControlNetUnit(infotextValue: field.value, key: field.key) { controlNets.append(unit) }
                continue
            }
            switch field.key {
            case "Mask blur":
                guard let v = Double(field.value) else { throw PipelineError("Mask blur", "'\(field.value)' is not a number") }
                maskBlur = v
            case "Mask mode": inpaintingMaskInvert = field.value == "Inpaint not masked"
            case "Inpaint area": inpaintFullRes = field.value == "Only masked"
            case "Masked area padding":
                guard let v = Int(field.value) else { throw PipelineError("Masked area padding", "'\(field.value)' is not an integer") }
                inpaintFullResPadding = v
            case "Masked content":
                guard let fill = MaskedContent.allCases.first(where: { $0.label == field.value }) else {
                    throw PipelineError("Masked content", "unknown '\(field.value)'")
                }
                inpaintingFill = fill
            case "Resize mode":
                guard let mode = ResizeMode.allCases.first(where: { $0.label == field.value }) else {
                    throw PipelineError("Resize mode", "unknown '\(field.value)'")
                }
                resizeMode = mode
            case "Eta", "Eta DDIM": eta = try Self.float(field)
            case "Noise multiplier": initialNoiseMultiplier = try Self.float(field)
            case "Extra noise": extraNoise = try Self.float(field)
            case "Tiled Diffusion":
                let regions = tiledDiffusion?.regions ?? []
                tiledDiffusion = try TiledDiffusionSettings(infotextValue: field.value)
                tiledDiffusion?.regions = regions
            case TiledDiffusionSettings.regionsInfotextKey:
                guard tiledDiffusion != nil else {
                    throw PipelineError(field.key, "comes without a 'Tiled Diffusion' field")
                }
                tiledDiffusion?.regions = try [TiledDiffusionRegion](regionsJSON: Data(field.value.utf8), source: field.key)
            default: break
            }
        }
    }
}
