import Foundation

/// One region of Tiled Diffusion's "Region Prompt Control" (spec §7.1, §7.3): a box given as fractions of the
/// canvas with its own prompt, negative prompt and seed, drawn under the grid as a Background layer or blended over
/// it as a feathered Foreground layer. Coding keys are the extension's own (`BBoxSettings`), so a region config the
/// extension saved (`{"bbox_controls": [...]}`) reads as it is.
public struct TiledDiffusionRegion: Sendable, Equatable, Codable {
    /// "Type": how the region joins the canvas.
    public enum BlendMode: String, Sendable, Equatable, Codable, CaseIterable {
        /// Added to the fusion like one more tile (weight 1, or its own Gaussian for Mixture of Diffusers).
        case background = "Background"
        /// Blended over the fused result with the region's feather mask.
        case foreground = "Foreground"

        /// Accepts the UI label in any case.
        public init(parsing text: String) throws {
            guard let mode = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw PipelineError("region type", "'\(text)' is not Background or Foreground")
            }
            self = mode
        }
    }

    /// Left edge, top edge, width and height as fractions of the canvas (the extension keeps 4 decimals).
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    /// Appended to the job's prompt as `prompt, region prompt` (empty: the job's prompt alone).
    public var prompt: String
    /// Appended to the job's negative prompt the same way.
    public var negativePrompt: String
    public var blendMode: BlendMode
    /// "Feather" 0…1 (default 0.2), Foreground only.
    public var featherRatio: Double
    /// The region's noise seed; −1 draws one when the job starts (and the infotext records it).
    public var seed: Int64

    /// The extension's defaults for a new region: a 0.2 × 0.2 Background box at (0.4, 0.4), feather 0.2, seed −1.
    public init(x: Double = 0.4, y: Double = 0.4, width: Double = 0.2, height: Double = 0.2, prompt: String = "",
                negativePrompt: String = "", blendMode: BlendMode = .background, featherRatio: Double = 0.2, seed: Int64 = -1) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.blendMode = blendMode
        self.featherRatio = featherRatio
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case enable, x, y, w, h, prompt
        case negativePrompt = "neg_prompt"
        case blendMode = "blend_mode"
        case featherRatio = "feather_ratio"
        case seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TiledDiffusionRegion()
        // TOML writes `x = 0` as an integer; JSON and the extension write floats.
        func number(_ key: CodingKeys) throws -> Double? {
            if let value = try? c.decodeIfPresent(Double.self, forKey: key) { return value }
            return try c.decodeIfPresent(Int.self, forKey: key).map(Double.init)
        }
        x = try number(.x) ?? d.x
        y = try number(.y) ?? d.y
        width = try number(.w) ?? d.width
        height = try number(.h) ?? d.height
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt) ?? ""
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt) ?? ""
        let mode = try c.decodeIfPresent(String.self, forKey: .blendMode) ?? d.blendMode.rawValue
        do { blendMode = try BlendMode(parsing: mode) } catch {
            throw DecodingError.dataCorruptedError(forKey: .blendMode, in: c, debugDescription: "'\(mode)' is not Background or Foreground")
        }
        featherRatio = try number(.featherRatio) ?? d.featherRatio
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed) ?? d.seed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(true, forKey: .enable)
        try c.encode(x, forKey: .x)
        try c.encode(y, forKey: .y)
        try c.encode(width, forKey: .w)
        try c.encode(height, forKey: .h)
        try c.encode(prompt, forKey: .prompt)
        try c.encode(negativePrompt, forKey: .negativePrompt)
        try c.encode(blendMode.rawValue, forKey: .blendMode)
        try c.encode(featherRatio, forKey: .featherRatio)
        try c.encode(seed, forKey: .seed)
    }

    /// Checks the region; errors name it as `regions[index]` and the field. The extension silently skips a box
    /// outside the canvas; here it is an error, so a typo never drops a region unnoticed.
    public func validate(index: Int) throws {
        func bad(_ field: String, _ problem: String) -> PipelineError { PipelineError("regions[\(index)].\(field)", problem) }
        for (name, value) in [("x", x), ("y", y)] where !(value.isFinite && value >= 0 && value < 1) {
            throw bad(name, "must be in [0, 1) (a fraction of the canvas), got \(value)")
        }
        for (name, value) in [("w", width), ("h", height)] where !(value.isFinite && value > 0 && value <= 1) {
            throw bad(name, "must be in (0, 1] (a fraction of the canvas), got \(value)")
        }
        guard featherRatio.isFinite, featherRatio >= 0, featherRatio <= 1 else {
            throw bad("feather_ratio", "must be in 0...1, got \(featherRatio)")
        }
        guard seed >= -1 else { throw bad("seed", "must be −1 (random) or a seed ≥ 0, got \(seed)") }
        for (name, text) in [("prompt", prompt), ("neg_prompt", negativePrompt)] where text.lowercased().contains("<lora:") {
            throw bad(name, "LoRA tags in a region prompt are not supported; put them in the job's prompt")
        }
    }

    /// The region's box in latent pixels (`init_custom_bbox`): `x = int(x·w)`, `y = int(y·h)`, `w = ceil(w·W)`,
    /// `h = ceil(h·H)`, cut to the canvas.
    public func latentBox(latentWidth: Int, latentHeight: Int) -> LatentTile {
        let left = max(0, Int(x * Double(latentWidth)))
        let top = max(0, Int(y * Double(latentHeight)))
        let w = min(latentWidth - left, Int((width * Double(latentWidth)).rounded(.up)))
        let h = min(latentHeight - top, Int((height * Double(latentHeight)).rounded(.up)))
        return LatentTile(x: left, y: top, width: w, height: h)
    }

    /// The text the region's cond is encoded from (`Prompt.append_prompt`): `base, region` or `base` alone.
    public static func appended(_ base: String, _ region: String) -> String {
        region.isEmpty ? base : "\(base), \(region)"
    }

    /// The Foreground feather mask `[h × w]` (the extension's `feather_mask`): radius `int(min(w//2, h//2)·ratio)`;
    /// a cell `d = min(i, j)` cells from the nearest corner edges (for i < h//2, j < w//2, mirrored to the other
    /// quadrants) weighs `(d/radius)²` when `d < radius`; all other cells, the middle row and column of odd sizes
    /// included, weigh 1.
    public static func featherMask(width w: Int, height h: Int, ratio: Double) -> [Float] {
        var mask = [Float](repeating: 1, count: w * h)
        let radius = Int(Double(min(w / 2, h / 2)) * min(max(ratio, 0), 1))
        guard radius > 0 else { return mask }
        for i in 0..<(h / 2) {
            for j in 0..<(w / 2) {
                let d = min(i, j)
                guard d < radius else { continue }
                let ratio = Float(d) / Float(radius)
                let weight = ratio * ratio
                for (row, col) in [(i, j), (i, w - j - 1), (h - i - 1, j), (h - i - 1, w - j - 1)] {
                    mask[row * w + col] = weight
                }
            }
        }
        return mask
    }
}

/// A region as a config lists it, with the extension's `enable` switch (default on).
public struct TiledDiffusionRegionEntry: Decodable, Sendable {
    public let enable: Bool
    public let region: TiledDiffusionRegion

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: TiledDiffusionRegion.CodingKeys.self)
        enable = try c.decodeIfPresent(Bool.self, forKey: .enable) ?? true
        region = try TiledDiffusionRegion(from: decoder)
    }

    /// The enabled regions of a list, in order (the extension drops disabled ones).
    public static func enabled(_ entries: [TiledDiffusionRegionEntry]) -> [TiledDiffusionRegion] {
        entries.filter(\.enable).map(\.region)
    }
}

extension Array where Element == TiledDiffusionRegion {
    /// Reads a region list as JSON: the extension's saved config `{"bbox_controls": [...]}` or a bare array of
    /// regions with the same keys. Regions with `"enable": false` are dropped, as the extension drops them.
    public init(regionsJSON data: Data, source: String) throws {
        let decoder = JSONDecoder()
        let entries: [TiledDiffusionRegionEntry]
        do {
            if let config = try? decoder.decode(TiledDiffusionRegionConfig.self, from: data) {
                entries = config.bbox_controls
            } else {
                entries = try decoder.decode([TiledDiffusionRegionEntry].self, from: data)
            }
        } catch {
            throw PipelineError(source, "is not a region list (a JSON array of regions or {\"bbox_controls\": [...]}): \(PipelineError.describe(decoding: error))")
        }
        self = TiledDiffusionRegionEntry.enabled(entries)
    }
}

/// The extension's saved region config (`dump_regions`).
private struct TiledDiffusionRegionConfig: Decodable {
    let bbox_controls: [TiledDiffusionRegionEntry]
}
