import TesseraPipelines

/// The `[tiled_diffusion]` table of an upscale job: run the redraw as one latent-space Tiled Diffusion img2img over
/// the whole pre-upscaled image (MultiDiffusion or Mixture of Diffusers), instead of independent pixel tiles.
/// Keys are the extension's labels in snake case; unset values take its img2img defaults.
public struct TiledDiffusionJobSettings: Codable, Sendable, Equatable {
    /// "multidiffusion" or "mixture" (also the extension's labels "MultiDiffusion", "Mixture of Diffusers").
    public var method: String
    public var latentTileWidth: Int
    public var latentTileHeight: Int
    public var latentTileOverlap: Int
    public var latentTileBatchSize: Int

    public init(_ settings: TiledDiffusionSettings) {
        method = settings.method == .multiDiffusion ? "multidiffusion" : "mixture"
        latentTileWidth = settings.tileWidth
        latentTileHeight = settings.tileHeight
        latentTileOverlap = settings.overlap
        latentTileBatchSize = settings.batchSize
    }

    enum CodingKeys: String, CodingKey {
        case method
        case latentTileWidth = "latent_tile_width"
        case latentTileHeight = "latent_tile_height"
        case latentTileOverlap = "latent_tile_overlap"
        case latentTileBatchSize = "latent_tile_batch_size"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TiledDiffusionSettings.img2imgDefault
        method = try c.decodeIfPresent(String.self, forKey: .method) ?? "mixture"
        latentTileWidth = try c.decodeIfPresent(Int.self, forKey: .latentTileWidth) ?? d.tileWidth
        latentTileHeight = try c.decodeIfPresent(Int.self, forKey: .latentTileHeight) ?? d.tileHeight
        latentTileOverlap = try c.decodeIfPresent(Int.self, forKey: .latentTileOverlap) ?? d.overlap
        latentTileBatchSize = try c.decodeIfPresent(Int.self, forKey: .latentTileBatchSize) ?? d.batchSize
    }

    /// The pipeline settings; the error names the `tiled_diffusion` field at fault.
    public func settings() throws -> TiledDiffusionSettings {
        let parsed: TiledDiffusionSettings.Method
        do { parsed = try .init(parsing: method) } catch {
            throw ClusterError.invalidParameter(field: "tiled_diffusion.method", reason: "\"\(method)\" is not multidiffusion or mixture")
        }
        let settings = TiledDiffusionSettings(method: parsed, tileWidth: latentTileWidth, tileHeight: latentTileHeight,
                                              overlap: latentTileOverlap, batchSize: latentTileBatchSize)
        do { try settings.validate() } catch {
            throw ClusterError.invalidParameter(field: "tiled_diffusion", reason: "\(error)")
        }
        return settings
    }
}
