import TesseraPrompt

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

    public init(method: Method, tileWidth: Int = 96, tileHeight: Int = 96, overlap: Int? = nil, batchSize: Int = 4) {
        self.method = method
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.overlap = overlap ?? Self.defaultOverlap(for: method)
        self.batchSize = batchSize
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
    }

    /// The value of the `Tiled Diffusion` infotext entry (the extension writes its own settings dict there; Tessera
    /// writes the settings that decide the result, flat).
    public var infotextValue: String {
        "method: \(method.rawValue), tile: \(tileWidth)x\(tileHeight), overlap: \(overlap), batch: \(batchSize)"
    }

    /// The `Tiled Diffusion` infotext field.
    public var infotextField: InfotextField { InfotextField("Tiled Diffusion", infotextValue) }
}
