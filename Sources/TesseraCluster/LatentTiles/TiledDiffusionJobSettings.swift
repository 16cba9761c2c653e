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
    /// "Enable Noise Inversion" (img2img with the Euler sampler only).
    public var noiseInversion: Bool
    /// "Inversion steps", "Retouch", "Renoise strength", "Renoise kernel size" (used when `noiseInversion` is on).
    public var noiseInversionSteps: Int
    public var noiseInversionRetouch: Double
    public var renoiseStrength: Double
    public var renoiseKernelSize: Int
    /// "Region Prompt Control" regions (`[[tiled_diffusion.regions]]`, the extension's keys); empty = off.
    public var regions: [TiledDiffusionRegion]
    /// "Draw full canvas background": draw the grid as well when there are regions.
    public var drawBackground: Bool

    public init(_ settings: TiledDiffusionSettings) {
        method = settings.method == .multiDiffusion ? "multidiffusion" : "mixture"
        latentTileWidth = settings.tileWidth
        latentTileHeight = settings.tileHeight
        latentTileOverlap = settings.overlap
        latentTileBatchSize = settings.batchSize
        let inversion = settings.noiseInversion ?? NoiseInversionSettings()
        noiseInversion = settings.noiseInversion != nil
        noiseInversionSteps = inversion.steps
        noiseInversionRetouch = inversion.retouch
        renoiseStrength = inversion.renoiseStrength
        renoiseKernelSize = inversion.renoiseKernelSize
        regions = settings.regions
        drawBackground = settings.drawBackground
    }

    enum CodingKeys: String, CodingKey {
        case method
        case latentTileWidth = "latent_tile_width"
        case latentTileHeight = "latent_tile_height"
        case latentTileOverlap = "latent_tile_overlap"
        case latentTileBatchSize = "latent_tile_batch_size"
        case noiseInversion = "noise_inversion"
        case noiseInversionSteps = "noise_inversion_steps"
        case noiseInversionRetouch = "noise_inversion_retouch"
        case renoiseStrength = "renoise_strength"
        case renoiseKernelSize = "renoise_kernel_size"
        case regions
        case drawBackground = "draw_background"
    }

    /// Noise inversion and region keys are written only when in use, so the specs of other jobs keep their earlier
    /// form.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(latentTileWidth, forKey: .latentTileWidth)
        try c.encode(latentTileHeight, forKey: .latentTileHeight)
        try c.encode(latentTileOverlap, forKey: .latentTileOverlap)
        try c.encode(latentTileBatchSize, forKey: .latentTileBatchSize)
        if !regions.isEmpty {
            try c.encode(regions, forKey: .regions)
            try c.encode(drawBackground, forKey: .drawBackground)
        }
        guard noiseInversion else { return }
        try c.encode(noiseInversion, forKey: .noiseInversion)
        try c.encode(noiseInversionSteps, forKey: .noiseInversionSteps)
        try c.encode(noiseInversionRetouch, forKey: .noiseInversionRetouch)
        try c.encode(renoiseStrength, forKey: .renoiseStrength)
        try c.encode(renoiseKernelSize, forKey: .renoiseKernelSize)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TiledDiffusionSettings.img2imgDefault
        method = try c.decodeIfPresent(String.self, forKey: .method) ?? "mixture"
        latentTileWidth = try c.decodeIfPresent(Int.self, forKey: .latentTileWidth) ?? d.tileWidth
        latentTileHeight = try c.decodeIfPresent(Int.self, forKey: .latentTileHeight) ?? d.tileHeight
        latentTileOverlap = try c.decodeIfPresent(Int.self, forKey: .latentTileOverlap) ?? d.overlap
        latentTileBatchSize = try c.decodeIfPresent(Int.self, forKey: .latentTileBatchSize) ?? d.batchSize
        let n = NoiseInversionSettings()
        noiseInversion = try c.decodeIfPresent(Bool.self, forKey: .noiseInversion) ?? false
        noiseInversionSteps = try c.decodeIfPresent(Int.self, forKey: .noiseInversionSteps) ?? n.steps
        noiseInversionRetouch = try DiffusionUpscaleSettings.decodeNumber(c, .noiseInversionRetouch) ?? n.retouch
        renoiseStrength = try DiffusionUpscaleSettings.decodeNumber(c, .renoiseStrength) ?? n.renoiseStrength
        renoiseKernelSize = try c.decodeIfPresent(Int.self, forKey: .renoiseKernelSize) ?? n.renoiseKernelSize
        regions = TiledDiffusionRegionEntry.enabled(
            try c.decodeIfPresent([TiledDiffusionRegionEntry].self, forKey: .regions) ?? [])
        drawBackground = try c.decodeIfPresent(Bool.self, forKey: .drawBackground) ?? false
    }

    /// The pipeline settings; the error names the `tiled_diffusion` field at fault.
    public func settings() throws -> TiledDiffusionSettings {
        let parsed: TiledDiffusionSettings.Method
        do { parsed = try .init(parsing: method) } catch {
            throw ClusterError.invalidParameter(field: "tiled_diffusion.method", reason: "\"\(method)\" is not multidiffusion or mixture")
        }
        let inversion = noiseInversion
            ? NoiseInversionSettings(steps: noiseInversionSteps, retouch: noiseInversionRetouch,
                                     renoiseStrength: renoiseStrength, renoiseKernelSize: renoiseKernelSize) : nil
        let settings = TiledDiffusionSettings(method: parsed, tileWidth: latentTileWidth, tileHeight: latentTileHeight,
                                              overlap: latentTileOverlap, batchSize: latentTileBatchSize,
                                              noiseInversion: inversion, regions: regions, drawBackground: drawBackground)
        do { try settings.validate() } catch let error as PipelineError where error.subject.hasPrefix("regions[") {
            throw ClusterError.invalidParameter(field: "tiled_diffusion.\(error.subject)", reason: error.problem)
        } catch {
            throw ClusterError.invalidParameter(field: "tiled_diffusion", reason: "\(error)")
        }
        for (index, region) in regions.enumerated() where region.seed < 0 {
            throw ClusterError.invalidParameter(field: "tiled_diffusion.regions[\(index)].seed", reason: "must be resolved (≥ 0) in a submitted job (tessera submit draws −1 once, so every worker uses the same seed), got \(region.seed)")
        }
        return settings
    }
}
