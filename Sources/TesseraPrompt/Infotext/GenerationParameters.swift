import Foundation

/// The generation settings Tessera writes into (and reads from) an A1111 infotext, with
/// A1111's key names, order and defaults.
public struct GenerationParameters: Sendable, Equatable {
    public var prompt: String
    public var negativePrompt: String
    public var steps: Int
    /// Display name, e.g. `Euler a`, `DPM++ 2M`.
    public var sampler: String
    /// `Schedule type` (e.g. `Karras`, `Automatic`); nil omits the key.
    public var scheduleType: String?
    public var cfgScale: Double
    public var seed: Int
    public var width: Int
    public var height: Int
    /// AutoV2 hash (first 10 hex of the checkpoint's SHA-256).
    public var modelHash: String?
    /// Checkpoint file name without directory or extension.
    public var modelName: String?
    public var vaeHash: String?
    public var vaeName: String?
    /// Written only when `variationSeedStrength` is not 0.
    public var variationSeed: Int?
    public var variationSeedStrength: Double
    /// `Seed resize from` (written only when both are > 0).
    public var seedResizeFromWidth: Int
    public var seedResizeFromHeight: Int
    public var denoisingStrength: Double?
    /// `Conditional mask weight`, for inpainting models.
    public var conditionalMaskWeight: Double?
    /// Written only when > 1.
    public var clipSkip: Int
    /// `ENSD`, eta noise seed delta; nil omits it.
    public var etaNoiseSeedDelta: Int?
    /// `RNG`; written only when not `GPU`.
    public var rng: String
    public var tiling: Bool
    /// A1111's `extra_generation_params`, in insertion order (`Mask blur`, `ControlNet 0`,
    /// `Lora hashes`, `Ultimate SD upscale upscaler`, …). A key that belongs to the fixed list
    /// (e.g. `Face restoration`, `Token merging ratio`) is written at its fixed position.
    public var extra: [InfotextField]
    /// `Version`, e.g. `v1.10.1` or Tessera's own version string.
    public var version: String?
    public var user: String?

    public init(prompt: String = "", negativePrompt: String = "", steps: Int = 20, sampler: String = "DPM++ 2M",
                scheduleType: String? = "Automatic", cfgScale: Double = 7, seed: Int = -1, width: Int = 512, height: Int = 512,
                modelHash: String? = nil, modelName: String? = nil, vaeHash: String? = nil, vaeName: String? = nil,
                variationSeed: Int? = nil, variationSeedStrength: Double = 0,
                seedResizeFromWidth: Int = 0, seedResizeFromHeight: Int = 0,
                denoisingStrength: Double? = nil, conditionalMaskWeight: Double? = nil, clipSkip: Int = 1,
                etaNoiseSeedDelta: Int? = nil, rng: String = "GPU", tiling: Bool = false,
                extra: [InfotextField] = [], version: String? = nil, user: String? = nil) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.steps = steps
        self.sampler = sampler
        self.scheduleType = scheduleType
        self.cfgScale = cfgScale
        self.seed = seed
        self.width = width
        self.height = height
        self.modelHash = modelHash
        self.modelName = modelName
        self.vaeHash = vaeHash
        self.vaeName = vaeName
        self.variationSeed = variationSeed
        self.variationSeedStrength = variationSeedStrength
        self.seedResizeFromWidth = seedResizeFromWidth
        self.seedResizeFromHeight = seedResizeFromHeight
        self.denoisingStrength = denoisingStrength
        self.conditionalMaskWeight = conditionalMaskWeight
        self.clipSkip = clipSkip
        self.etaNoiseSeedDelta = etaNoiseSeedDelta
        self.rng = rng
        self.tiling = tiling
        self.extra = extra
        self.version = version
        self.user = user
    }

    /// The fixed keys of A1111's `create_infotext`, in order; extra params follow, then
    /// `Version` and `User`.
    static let fixedKeys = [
        "Steps", "Sampler", "Schedule type", "CFG scale", "Image CFG scale", "Seed", "Face restoration", "Size",
        "Model hash", "Model", "FP8 weight", "Cache FP16 weight for LoRA", "VAE hash", "VAE", "Variation seed",
        "Variation seed strength", "Seed resize from", "Denoising strength", "Conditional mask weight", "Clip skip",
        "ENSD", "Token merging ratio", "Token merging ratio hr", "Init image hash", "RNG", "Tiling",
    ]
    static let trailingKeys = ["Version", "User"]
    private static let modelledKeys: Set<String> = [
        "Steps", "Sampler", "Schedule type", "CFG scale", "Seed", "Size", "Model hash", "Model", "VAE hash", "VAE",
        "Variation seed", "Variation seed strength", "Seed resize from", "Denoising strength",
        "Conditional mask weight", "Clip skip", "ENSD", "RNG", "Tiling", "Version", "User",
    ]

    /// The infotext A1111 would write for these settings.
    public var infotext: Infotext {
        let number = PythonNumberFormat.uiNumber
        var values: [String: String] = [:]
        values["Steps"] = String(steps)
        values["Sampler"] = sampler
        values["Schedule type"] = scheduleType
        values["CFG scale"] = number(cfgScale)
        values["Seed"] = String(seed)
        values["Size"] = "\(width)x\(height)"
        values["Model hash"] = modelHash
        values["Model"] = modelName
        values["VAE hash"] = vaeHash
        values["VAE"] = vaeName
        if variationSeedStrength != 0 {
            values["Variation seed"] = variationSeed.map(String.init)
            values["Variation seed strength"] = number(variationSeedStrength)
        }
        if seedResizeFromWidth > 0, seedResizeFromHeight > 0 {
            values["Seed resize from"] = "\(seedResizeFromWidth)x\(seedResizeFromHeight)"
        }
        values["Denoising strength"] = denoisingStrength.map(number)
        values["Conditional mask weight"] = conditionalMaskWeight.map(number)
        values["Clip skip"] = clipSkip > 1 ? String(clipSkip) : nil
        values["ENSD"] = etaNoiseSeedDelta.map(String.init)
        values["RNG"] = rng != "GPU" ? rng : nil
        values["Tiling"] = tiling ? "True" : nil
        values["Version"] = version
        values["User"] = user

        // Python dict semantics of `{fixed…, **extra, Version, User}`: an extra key that is also
        // a fixed key keeps the fixed position and overrides the value.
        var extraValues: [String: String] = [:]
        var extraOrder: [String] = []
        for field in extra {
            if extraValues[field.key] == nil { extraOrder.append(field.key) }
            extraValues[field.key] = field.value
        }
        var fields: [InfotextField] = []
        for key in Self.fixedKeys {
            if let value = extraValues[key] ?? values[key] { fields.append(InfotextField(key, value)) }
        }
        for key in extraOrder where !Self.fixedKeys.contains(key) && !Self.trailingKeys.contains(key) {
            fields.append(InfotextField(key, extraValues[key]!))
        }
        for key in Self.trailingKeys {
            if let value = extraValues[key] ?? values[key] { fields.append(InfotextField(key, value)) }
        }
        return Infotext(prompt: prompt, negativePrompt: negativePrompt, fields: fields)
    }

    /// Reads the settings back from an infotext. Missing keys take A1111's parse defaults
    /// (`Clip skip` 1, `RNG` GPU, `Schedule type` Automatic); keys Tessera does not model go to
    /// `extra`, in order. Throws when a value Tessera needs is malformed.
    public init(infotext: Infotext) throws {
        func integer(_ key: String) throws -> Int? {
            guard let raw = infotext[key] else { return nil }
            guard let value = Int(raw.trimmingPythonWhitespace()) else { throw InfotextError.invalidValue(key: key, value: raw, expected: "an integer") }
            return value
        }
        func decimal(_ key: String) throws -> Double? {
            guard let raw = infotext[key] else { return nil }
            guard let value = PromptText.decimalNumber(raw) else { throw InfotextError.invalidValue(key: key, value: raw, expected: "a number") }
            return value
        }
        func size(_ key: String) throws -> (Int, Int)? {
            guard let raw = infotext[key] else { return nil }
            guard let (w, h) = Infotext.dimensions(raw), let width = Int(w), let height = Int(h) else {
                throw InfotextError.invalidValue(key: key, value: raw, expected: "WIDTHxHEIGHT")
            }
            return (width, height)
        }
        guard let steps = try integer("Steps") else { throw InfotextError.missingKey("Steps") }
        guard let sampler = infotext["Sampler"] else { throw InfotextError.missingKey("Sampler") }
        let (width, height) = try size("Size") ?? (512, 512)
        let (resizeWidth, resizeHeight) = try size("Seed resize from") ?? (0, 0)
        self.init(prompt: infotext.prompt, negativePrompt: infotext.negativePrompt, steps: steps, sampler: sampler,
                  scheduleType: infotext["Schedule type"] ?? "Automatic", cfgScale: try decimal("CFG scale") ?? 7,
                  seed: try integer("Seed") ?? -1, width: width, height: height,
                  modelHash: infotext["Model hash"], modelName: infotext["Model"],
                  vaeHash: infotext["VAE hash"], vaeName: infotext["VAE"],
                  variationSeed: try integer("Variation seed"), variationSeedStrength: try decimal("Variation seed strength") ?? 0,
                  seedResizeFromWidth: resizeWidth, seedResizeFromHeight: resizeHeight,
                  denoisingStrength: try decimal("Denoising strength"),
                  conditionalMaskWeight: try decimal("Conditional mask weight"),
                  clipSkip: try integer("Clip skip") ?? 1, etaNoiseSeedDelta: try integer("ENSD"),
                  rng: infotext["RNG"] ?? "GPU", tiling: infotext["Tiling"] == "True",
                  extra: infotext.fields.filter { !Self.modelledKeys.contains($0.key) },
                  version: infotext["Version"], user: infotext["User"])
    }

    /// `Lora hashes` value: `name: hash` pairs joined by `, `, names without `:` and `,`
    /// (A1111's `extra_networks_lora`).
    public static func loraHashesValue(_ hashes: [(name: String, hash: String)]) -> String {
        hashes.map { pair in
            let name = pair.name.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: ",", with: "")
            return "\(name): \(pair.hash)"
        }.joined(separator: ", ")
    }

    /// Splits a `Lora hashes` (or `TI hashes`) value back into pairs.
    public static func parseHashes(_ value: String) -> [(name: String, hash: String)] {
        value.components(separatedBy: ",").compactMap { item in
            let parts = item.components(separatedBy: ":")
            guard parts.count == 2 else { return nil }
            return (parts[0].trimmingPythonWhitespace(), parts[1].trimmingPythonWhitespace())
        }
    }
}

/// An infotext that lacks or garbles a value Tessera needs.
public enum InfotextError: Error, Equatable, CustomStringConvertible {
    case missingKey(String)
    case invalidValue(key: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .missingKey(key):
            return "infotext: the parameter line has no '\(key)'"
        case let .invalidValue(key, value, expected):
            return "infotext: '\(key): \(value)' should be \(expected)"
        }
    }
}

extension InfotextError: LocalizedError {
    public var errorDescription: String? { description }
}
