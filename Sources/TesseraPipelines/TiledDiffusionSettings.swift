import Foundation
import TesseraPrompt
import TesseraSampling

/// The Tiled Diffusion extension's settings (multidiffusion-upscaler-for-automatic1111), with its
/// names and defaults. Sizes are in latent pixels (1 latent px = 8 image px).
public struct TiledDiffusionSettings: Sendable, Equatable, Codable {
    /// How overlapping tiles are joined at every model call.
    public enum Method: String, Sendable, Equatable, Codable, CaseIterable {
        /// Fuses the x0 (denoised) estimate, every covering tile with weight 1.
        case multiDiffusion = "MultiDiffusion"
        /// Fuses eps with a Gaussian weight per tile.
        case mixtureOfDiffusers = "Mixture of Diffusers"

        /// Accepts the UI label or the CLI spelling (`multidiffusion`, `mixture`, `mixture-of-diffusers`).
        public init(parsing text: String) throws {
            let key = text.lowercased().filter { $0.isLetter }
            switch key {
            case "multidiffusion": self = .multiDiffusion
            case "mixture", "mixtureofdiffusers", "mod": self = .mixtureOfDiffusers
            default:
                throw PipelineError("tiled diffusion method", "'\(text)' is not one of multidiffusion, mixture")
            }
        }
    }

    public var method: Method
    /// "Latent tile width" / "Latent tile height".
    public var tileWidth: Int
    public var tileHeight: Int
    /// "Latent tile overlap".
    public var overlap: Int
    /// "Latent tile batch size": how many tiles form one unit of work. Every tile is still evaluated as its own
    /// model call, so the result never depends on it (see docs/distributed-multidiffusion.md).
    public var batchSize: Int
    /// "Enable Noise Inversion" and its options; nil = off (the extension's default).
    public var noiseInversion: NoiseInversionSettings?
    /// "Region Prompt Control": empty = off (the extension's default). With regions, the grid is drawn only when
    /// `drawBackground` is on.
    public var regions: [TiledDiffusionRegion]
    /// "Draw full canvas background" (default off, as in the extension): whether the grid tiles are drawn with the
    /// job's prompt when there are regions. Without regions the grid is always drawn.
    public var drawBackground: Bool

    public init(method: Method, tileWidth: Int = 96, tileHeight: Int = 96, overlap: Int? = nil, batchSize: Int = 4,
                noiseInversion: NoiseInversionSettings? = nil, regions: [TiledDiffusionRegion] = [],
                drawBackground: Bool = false) {
        self.method = method
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.overlap = overlap ?? Self.defaultOverlap(for: method)
        self.batchSize = batchSize
        self.noiseInversion = noiseInversion
        self.regions = regions
        self.drawBackground = drawBackground
    }

    /// Whether the grid tiles are drawn: always without regions, with them only when "Draw full canvas background"
    /// is on.
    public var drawsGrid: Bool { regions.isEmpty || drawBackground }

    /// The settings with every region seed of −1 replaced by a drawn seed, so the job is reproducible and its
    /// infotext records the seeds used.
    public func resolvingRegionSeeds() -> TiledDiffusionSettings {
        var copy = self
        for k in copy.regions.indices { copy.regions[k].seed = SeedPlan.resolve(copy.regions[k].seed) }
        return copy
    }

    /// The extension's img2img defaults: Mixture of Diffusers, 96×96, overlap 8, batch 4.
    public static let img2imgDefault = TiledDiffusionSettings(method: .mixtureOfDiffusers, overlap: 8)
    /// The extension's txt2img defaults: MultiDiffusion, 96×96, overlap 48, batch 4.
    public static let txt2imgDefault = TiledDiffusionSettings(method: .multiDiffusion, overlap: 48)

    /// The overlap the extension's UI starts from for a method (8 for Mixture of Diffusers, 48 for MultiDiffusion).
    public static func defaultOverlap(for method: Method) -> Int { method == .mixtureOfDiffusers ? 8 : 48 }

    /// Checks the extension's slider ranges (tile sizes down to 4 are accepted for small test images); each error
    /// names the field.
    public func validate() throws {
        guard (4...256).contains(tileWidth) else {
            throw PipelineError("latent tile width", "must be in 4...256 latent px, got \(tileWidth)")
        }
        guard (4...256).contains(tileHeight) else {
            throw PipelineError("latent tile height", "must be in 4...256 latent px, got \(tileHeight)")
        }
        guard (0...256).contains(overlap) else {
            throw PipelineError("latent tile overlap", "must be in 0...256 latent px, got \(overlap)")
        }
        guard (1...8).contains(batchSize) else {
            throw PipelineError("latent tile batch size", "must be in 1...8, got \(batchSize)")
        }
        try noiseInversion?.validate()
        for (index, region) in regions.enumerated() { try region.validate(index: index) }
    }

    /// The value of the `Tiled Diffusion` infotext entry (the extension writes its own settings dict there; Tessera
    /// writes the settings that decide the result, flat).
    public var infotextValue: String {
        "method: \(method.rawValue), tile: \(tileWidth)x\(tileHeight), overlap: \(overlap), batch: \(batchSize)"
            + (noiseInversion.map { ", " + $0.infotextEntries } ?? "")
            + (regions.isEmpty ? "" : ", draw background: \(drawBackground)")
    }

    /// The `Tiled Diffusion` infotext field, and with regions a `Tiled Diffusion regions` field holding them as a
    /// JSON array with the extension's keys (prompts contain commas, so they cannot join the flat entry).
    public var infotextFields: [InfotextField] {
        var fields = [InfotextField("Tiled Diffusion", infotextValue)]
        if !regions.isEmpty { fields.append(InfotextField(Self.regionsInfotextKey, Self.regionsJSON(regions))) }
        return fields
    }

    /// The infotext key of the region list.
    public static let regionsInfotextKey = "Tiled Diffusion regions"

    /// Regions as compact JSON with sorted keys (stable text for the same regions).
    public static func regionsJSON(_ regions: [TiledDiffusionRegion]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(regions)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Reads `infotextValue` back (`method: …, tile: WxH, overlap: N, batch: B`, then the noise inversion entries
    /// when it was on), so a rerun from the infotext uses the same tiles; every entry is required and checked, and
    /// errors name the `Tiled Diffusion` field.
    ///
    /// The extension's own entry, a Python dict such as `{'Method': 'MultiDiffusion', 'Tile tile width': 96,
    /// 'Tile tile height': 96, 'Tile Overlap': 48, 'Tile batch size': 4, …}`, is read too (other keys ignored).
    public init(infotextValue value: String) throws {
        func fail(_ problem: String) -> PipelineError { PipelineError("Tiled Diffusion", "\(problem) in '\(value)'") }
        var entries: [String: String] = [:]
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{") {
            guard let dict = PythonDictLiteral.entries(trimmed) else { throw fail("the settings dict cannot be read") }
            let names = ["method": "method", "tile tile width": "width", "tile tile height": "height",
                         "tile overlap": "overlap", "tile batch size": "batch"]
            for (key, text) in dict { if let name = names[key.lowercased()] { entries[name] = text } }
            if let width = entries["width"], let height = entries["height"] { entries["tile"] = "\(width)x\(height)" }
        } else {
            for part in value.split(separator: ",") {
                let pair = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, !pair[0].isEmpty else { throw fail("entry '\(part)' is not 'key: value'") }
                entries[pair[0].lowercased()] = pair[1]
            }
        }
        func integer(_ text: String?, _ key: String) throws -> Int {
            guard let text else { throw fail("'\(key)' is missing") }
            guard let number = Int(text) else { throw fail("'\(key)' value '\(text)' is not an integer") }
            return number
        }
        guard let methodText = entries["method"] else { throw fail("'method' is missing") }
        let method: Method
        do { method = try Method(parsing: methodText) } catch { throw fail("'method' value '\(methodText)' is unknown") }
        guard let tile = entries["tile"] else { throw fail("'tile' is missing") }
        let size = tile.lowercased().split(separator: "x", omittingEmptySubsequences: false).map(String.init)
        guard size.count == 2 else { throw fail("'tile' value '\(tile)' is not WIDTHxHEIGHT") }
        self.init(method: method, tileWidth: try integer(size[0], "tile width"), tileHeight: try integer(size[1], "tile height"),
                  overlap: try integer(entries["overlap"], "overlap"), batchSize: try integer(entries["batch"], "batch"),
                  noiseInversion: try NoiseInversionSettings.parse(entries, fail: fail))
        if let draw = entries["draw background"] {
            guard let flag = Bool(draw.lowercased()) else { throw fail("'draw background' value '\(draw)' is not true or false") }
            drawBackground = flag
        }
        do { try validate() } catch { throw fail("\(error)") }
    }
}
