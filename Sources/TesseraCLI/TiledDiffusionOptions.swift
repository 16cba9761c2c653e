import Foundation
import ArgumentParser
import TesseraCluster
import TesseraImaging
import TesseraTerminal
import TesseraPipelines
import TesseraSampling

/// The Tiled Diffusion extension's settings as flags (latent pixels; 1 latent px = 8 image px). Unset values take
/// the extension's defaults for the tab: img2img Mixture of Diffusers / overlap 8, txt2img MultiDiffusion / overlap 48,
/// 96×96 tiles, batch 4.
struct TiledDiffusionOptions: ParsableArguments {
    @Option(name: .customLong("tiled-diffusion"),
            help: "Turn on Tiled Diffusion with this method: multidiffusion or mixture (Mixture of Diffusers).")
    var method: String?
    @Option(name: .customLong("latent-tile-width"), help: "Latent tile width (default 96).")
    var tileWidth: Int?
    @Option(name: .customLong("latent-tile-height"), help: "Latent tile height (default 96).")
    var tileHeight: Int?
    @Option(name: .customLong("latent-tile-overlap"), help: "Latent tile overlap (default 8 img2img, 48 txt2img).")
    var overlap: Int?
    @Option(name: .customLong("latent-tile-batch-size"), help: "Latent tile batch size 1…8 (default 4).")
    var batchSize: Int?
    @Flag(name: .customLong("noise-inversion"),
          help: "Enable Noise Inversion (img2img with --sampler Euler): start from the init image's inverted noise.")
    var noiseInversion = false
    @Option(name: .customLong("noise-inversion-steps"), help: "Inversion steps 1…200 (default 10).")
    var inversionSteps: Int?
    @Option(name: .customLong("noise-inversion-retouch"), help: "Retouch 1…100 (default 1).")
    var retouch: Double?
    @Option(name: .customLong("renoise-strength"), help: "Renoise strength 0…2 (default 1).")
    var renoiseStrength: Double?
    @Option(name: .customLong("renoise-kernel-size"), help: "Renoise kernel size 2…512 (default 64).")
    var renoiseKernelSize: Int?
    @Option(name: .customLong("regions"),
            help: "Region Prompt Control: a JSON file of regions (the extension's saved config {\"bbox_controls\": [...]} or an array of {x, y, w, h, prompt, neg_prompt, blend_mode, feather_ratio, seed}).")
    var regionsFile: String?
    @Flag(name: .customLong("draw-background"),
          help: "Draw full canvas background: with --regions, draw the grid tiles with the main prompt too.")
    var drawBackground = false

    private var inversionFlagsGiven: Bool {
        noiseInversion || inversionSteps != nil || retouch != nil || renoiseStrength != nil || renoiseKernelSize != nil
    }

    /// The settings these flags describe, or nil when Tiled Diffusion is off; `img2img` picks the tab defaults.
    /// `recorded` (from `--params-from`) replaces the defaults, so a rerun keeps its tiles and flags override them.
    func settings(img2img: Bool, recorded: TiledDiffusionSettings? = nil) throws -> TiledDiffusionSettings? {
        guard method != nil || recorded != nil else {
            if tileWidth != nil || tileHeight != nil || overlap != nil || batchSize != nil {
                throw CommandFailure("--latent-tile-* flags need --tiled-diffusion multidiffusion|mixture")
            }
            if inversionFlagsGiven {
                throw CommandFailure("--noise-inversion and its options need --tiled-diffusion multidiffusion|mixture")
            }
            if regionsFile != nil || drawBackground {
                throw CommandFailure("--regions and --draw-background need --tiled-diffusion multidiffusion|mixture")
            }
            return nil
        }
        var settings = recorded ?? (img2img ? TiledDiffusionSettings.img2imgDefault : .txt2imgDefault)
        if let method {
            do { settings.method = try .init(parsing: method) } catch { throw CommandFailure("--tiled-diffusion: \(error)") }
        }
        if let tileWidth { settings.tileWidth = tileWidth }
        if let tileHeight { settings.tileHeight = tileHeight }
        if let overlap { settings.overlap = overlap }
        if let batchSize { settings.batchSize = batchSize }
        if noiseInversion, settings.noiseInversion == nil { settings.noiseInversion = NoiseInversionSettings() }
        if inversionFlagsGiven, !noiseInversion, settings.noiseInversion == nil {
            throw CommandFailure("--noise-inversion-steps, --noise-inversion-retouch and --renoise-* need --noise-inversion")
        }
        if let inversionSteps { settings.noiseInversion?.steps = inversionSteps }
        if let retouch { settings.noiseInversion?.retouch = retouch }
        if let renoiseStrength { settings.noiseInversion?.renoiseStrength = renoiseStrength }
        if let renoiseKernelSize { settings.noiseInversion?.renoiseKernelSize = renoiseKernelSize }
        if let regionsFile {
            guard let data = FileManager.default.contents(atPath: regionsFile) else {
                throw CommandFailure("--regions: cannot read \(regionsFile)")
            }
            do { settings.regions = try [TiledDiffusionRegion](regionsJSON: data, source: regionsFile) } catch {
                throw CommandFailure("--regions: \(error)")
            }
            guard !settings.regions.isEmpty else { throw CommandFailure("--regions: \(regionsFile) enables no region") }
        }
        if drawBackground {
            guard !settings.regions.isEmpty else { throw CommandFailure("--draw-background needs --regions") }
            settings.drawBackground = true
        }
        do { try settings.validate() } catch { throw CommandFailure("\(error)") }
        return settings
    }

    /// Whether any Tiled Diffusion flag was given.
    var isGiven: Bool {
        method != nil || tileWidth != nil || tileHeight != nil || overlap != nil || batchSize != nil || inversionFlagsGiven
            || regionsFile != nil || drawBackground
    }

    /// Sets `request.tiledDiffusion` from the flags, on top of what `--params-from` put there.
    func apply(to request: inout GenerationRequest) throws {
        request.tiledDiffusion = try settings(img2img: request.isImg2Img, recorded: request.tiledDiffusion)
    }
}

extension TiledDiffusionOptions {
    /// `spec` with the flags' `[tiled_diffusion]` settings (img2img defaults for unset values; a job file's table is
    /// kept when no flag is given). Tiled diffusion redraws with the job's diffusion settings, so it needs them.
    func apply(to spec: UpscaleJobSpec) throws -> UpscaleJobSpec {
        var spec = spec
        if let settings = try settings(img2img: true) {
            spec.tiledDiffusion = TiledDiffusionJobSettings(settings)
        }
        // Region seeds of −1 are drawn here, once, so every worker pastes the same region noise.
        if var tiled = spec.tiledDiffusion {
            for k in tiled.regions.indices { tiled.regions[k].seed = SeedPlan.resolve(tiled.regions[k].seed) }
            spec.tiledDiffusion = tiled
        }
        if spec.tiledDiffusion != nil && spec.diffusion == nil {
            throw CommandFailure("--tiled-diffusion redraws the image with Stable Diffusion and needs --checkpoint")
        }
        do { try spec.validate() } catch { throw CommandFailure("\(error)") }
        return spec
    }
}

extension TiledDiffusionOptions {
    /// `tessera upscale --tiled-diffusion …` without `--local`: the whole job in this process, with a step bar.
    static func runInProcess(source: RGBAImage, spec: UpscaleJobSpec, outputPath: String, library: ModelLibrary?) throws {
        let steps = spec.diffusion.map { max(1, Int(min($0.denoisingStrength, 0.999) * Double($0.steps)) + 1) } ?? 1
        let bar = ProgressBar.onStandardError(total: steps, label: "tiled diffusion", unit: "steps")
        try InProcessLatentDiffusion.upscale(source: source, spec: spec, to: outputPath,
                                             renderer: try DiffusionTileRenderer(library: library)) { done, _ in
            bar.update(completed: done)
        }
        bar.finish()
        let size = spec.targetSize(sourceWidth: source.width, sourceHeight: source.height)
        print("Wrote \(outputPath) (\(size.width)x\(size.height), tiled diffusion)")
    }
}
