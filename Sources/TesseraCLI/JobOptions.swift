import ArgumentParser
import Foundation
import TesseraCluster
import TesseraImaging

/// Job parameters shared by `upscale` and `submit` (A1111 / Ultimate SD Upscale names where they exist).
struct JobOptions: ParsableArguments {
    @Option(name: .long, help: "Scale factor (default 2; ignored when --width and --height are both given).")
    var scale: Double?

    @Option(name: .long, help: "Upscaler: lanczos (default), bicubic, bilinear or nearest.")
    var upscaler: String?

    @Option(name: [.customLong("tile"), .customLong("tile-width")], help: "Tile width in output pixels, a multiple of 8 (default 512).")
    var tileWidth: Int?

    @Option(name: .customLong("tile-height"), help: "Tile height (0 = same as the width).")
    var tileHeight: Int?

    @Option(name: .long, help: "Context pixels rendered around each tile (default 32).")
    var padding: Int?

    @Option(name: .long, help: "Cross-faded overlap between tiles (even, at most 2 x padding; default min(32, 2 x padding)).")
    var feather: Int?

    @Option(name: [.customLong("order"), .customLong("redraw-mode")], help: "Tile order: linear (default) or chess.")
    var order: TileOrder?

    @Option(name: .long, help: "Output width (A1111 custom width).")
    var width: Int?

    @Option(name: .long, help: "Output height (A1111 custom height).")
    var height: Int?

    @Option(name: .long, help: "Priority 0-100 (higher first; default 50).")
    var priority: Int?

    @Option(name: .long, help: "Diffusion upscale: redraw every tile with this checkpoint (path, or name with --models-dir); --upscaler then picks the pre-upscale filter.")
    var checkpoint: String?

    @Option(name: .long, help: "Diffusion upscale: prompt (LoRA tags allowed).")
    var prompt: String?

    @Option(name: .customLong("negative-prompt"), help: "Diffusion upscale: negative prompt.")
    var negativePrompt: String?

    @Option(name: .long, help: "Diffusion upscale: sampling method (default \"Euler a\").")
    var sampler: String?

    @Option(name: .long, help: "Diffusion upscale: sampling steps (default 20).")
    var steps: Int?

    @Option(name: .customLong("cfg-scale"), help: "Diffusion upscale: CFG scale (default 7).")
    var cfgScale: Double?

    @Option(name: .customLong("denoising-strength"), help: "Diffusion upscale: denoising strength (default 0.35).")
    var denoisingStrength: Double?

    @Option(name: .long, help: "Diffusion upscale: seed (-1 = random, drawn once per job); tile i uses seed + i.")
    var seed: Int64?

    @Flag(name: .customLong("same-seed-for-all-tiles"), help: "Diffusion upscale: every tile uses the job seed (Ultimate SD Upscale behaviour).")
    var sameSeedForAllTiles = false

    @Option(name: .customLong("controlnet-tile"), help: "Diffusion upscale: Tile ControlNet model (path or name); its hint is each tile's own region.")
    var controlNetTile: String?

    @Option(name: .customLong("controlnet"), help: "Diffusion upscale: Tile ControlNet: \"tile\" for the Tile ControlNet of the models folder (or, with submit, of the workers), or a model path or name (same as --controlnet-tile).")
    var controlNet: String?

    @Option(name: .customLong("controlnet-tile-module"), help: "Tile ControlNet preprocessor: tile_resample (default), tile_colorfix, tile_colorfix+sharp or none.")
    var controlNetTileModule: String?

    @Option(name: .customLong("controlnet-tile-threshold-a"), help: "Tile ControlNet first slider: tile_resample down sampling rate (1-8, default 1), tile_colorfix variation (3-32, default 8).")
    var controlNetTileThresholdA: Double?

    @Option(name: .customLong("controlnet-tile-threshold-b"), help: "Tile ControlNet second slider: tile_colorfix+sharp sharpness (0-2, default 1).")
    var controlNetTileThresholdB: Double?

    @Option(name: .customLong("controlnet-tile-weight"), help: "Tile ControlNet weight (default 1).")
    var controlNetTileWeight: Double?

    @Option(name: .customLong("controlnet-tile-guidance-start"), help: "Tile ControlNet guidance start (default 0).")
    var controlNetTileGuidanceStart: Double?

    @Option(name: .customLong("controlnet-tile-guidance-end"), help: "Tile ControlNet guidance end (default 1).")
    var controlNetTileGuidanceEnd: Double?

    @Option(name: .customLong("controlnet-tile-control-mode"), help: "Tile ControlNet control mode (default Balanced).")
    var controlNetTileControlMode: String?

    @Option(name: .customLong("tile-mode"), help: "Diffusion upscale: feather (default: parallel tiles from the pre-upscale, feathered) or usdu (Ultimate SD Upscale's causal redraw: each tile inpaints the image holding the earlier tiles).")
    var tileMode: String?

    @Option(name: .customLong("mask-blur"), help: "Mask blur (0-64, default 8) of the USDU tile masks (--tile-mode usdu) and of an inpaint --mask.")
    var maskBlur: Int?

    @Option(name: .customLong("seams-fix"), help: "Diffusion upscale: seams fix pass after the redraw: none (default), band-pass, half-tile or half-tile+intersections (USDU's 0-3 too).")
    var seamsFix: String?

    @Option(name: .customLong("seams-fix-width"), help: "Band pass width (default 64).")
    var seamsFixWidth: Int?

    @Option(name: .customLong("seams-fix-denoise"), help: "Seams fix denoising strength (default 0.35).")
    var seamsFixDenoise: Double?

    @Option(name: .customLong("seams-fix-mask-blur"), help: "Seams fix mask blur of the half-tile passes (default 4).")
    var seamsFixMaskBlur: Int?

    @Option(name: .customLong("seams-fix-padding"), help: "Seams fix padding (default 16).")
    var seamsFixPadding: Int?

    @Option(name: .customLong("color-fix"), help: "Diffusion upscale: colour fix of every tile against the pre-upscaled source: wavelet (default), adain or none.")
    var colorFix: String?

    @Option(name: .long, help: "Diffusion inpaint: mask PNG at the output size (white = repaint, blurred with --mask-blur); only the tiles it reaches are redrawn, every other pixel is the pre-upscaled source.")
    var mask: String?

    /// The mask PNG's bytes when `--mask` (or a job file's `mask`) names one.
    func maskData(orFrom path: String? = nil) throws -> Data? {
        guard let path = mask ?? path else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("\(path): cannot read the mask image")
        }
        return data
    }

    /// `base` with every flag that was given applied on top.
    func spec(over base: UpscaleJobSpec = UpscaleJobSpec()) throws -> UpscaleJobSpec {
        var spec = base
        if let scale { spec.scale = scale }
        if let upscaler { spec.upscaler = Self.upscalerName(upscaler) }
        if let tileWidth { spec.tileWidth = tileWidth }
        if let tileHeight { spec.tileHeight = tileHeight }
        if let padding { spec.padding = padding }
        if let feather { spec.feather = feather }
        if let order { spec.order = order }
        if let width { spec.width = width }
        if let height { spec.height = height }
        if let priority { spec.priority = priority }
        if mask != nil { spec.inpaint = true }
        if let tileMode { spec.tileMode = try TileMode(parsing: tileMode, field: "--tile-mode") }
        if let maskBlur { spec.maskBlur = maskBlur }
        if let seamsFix { spec.seamsFixType = try SeamsFixType(parsing: seamsFix, field: "--seams-fix") }
        if let seamsFixWidth { spec.seamsFixWidth = seamsFixWidth }
        if let seamsFixDenoise { spec.seamsFixDenoise = seamsFixDenoise }
        if let seamsFixMaskBlur { spec.seamsFixMaskBlur = seamsFixMaskBlur }
        if let seamsFixPadding { spec.seamsFixPadding = seamsFixPadding }
        if let diffusion = try diffusionSettings() {
            spec.diffusion = diffusion
            spec.upscaler = DiffusionUpscaleSettings.rendererName
        }
        if let colorFix {
            // Also applies over a job file's diffusion settings (`tessera submit job.toml --color-fix adain`).
            guard var diffusion = spec.diffusion else {
                throw CommandFailure("--color-fix is a diffusion upscale setting and needs --checkpoint")
            }
            diffusion.colorFix = try DiffusionUpscaleSettings.parseColorFix(colorFix, field: "--color-fix")
            spec.diffusion = diffusion
        }
        try spec.validate()
        return spec
    }
}

extension JobOptions {
    /// The diffusion settings when `--checkpoint` is given; the other diffusion flags without it are an error.
    func diffusionSettings() throws -> DiffusionUpscaleSettings? {
        guard let checkpoint else {
            let stray: [(String, Bool)] = [
                ("--prompt", prompt != nil), ("--negative-prompt", negativePrompt != nil), ("--sampler", sampler != nil),
                ("--steps", steps != nil), ("--cfg-scale", cfgScale != nil),
                ("--denoising-strength", denoisingStrength != nil), ("--seed", seed != nil),
                ("--same-seed-for-all-tiles", sameSeedForAllTiles), ("--controlnet-tile", controlNetTile != nil),
                ("--controlnet", controlNet != nil),
            ]
            if let flag = stray.first(where: { $0.1 }) {
                throw CommandFailure("\(flag.0) is a diffusion upscale setting and needs --checkpoint")
            }
            return nil
        }
        var settings = DiffusionUpscaleSettings(checkpoint: checkpoint)
        if let upscaler { settings.preUpscaler = Self.upscalerName(upscaler) }
        if let prompt { settings.prompt = prompt }
        if let negativePrompt { settings.negativePrompt = negativePrompt }
        if let sampler { settings.sampler = sampler }
        if let steps { settings.steps = steps }
        if let cfgScale { settings.cfgScale = cfgScale }
        if let denoisingStrength { settings.denoisingStrength = denoisingStrength }
        // A random seed is drawn here, once, so every worker derives the same tile seeds from it.
        settings.seed = seed.flatMap { $0 >= 0 ? $0 : nil } ?? Int64(UInt32.random(in: 0...UInt32.max))
        settings.sameSeedForAllTiles = sameSeedForAllTiles
        if controlNetTile != nil && controlNet != nil {
            throw CommandFailure("--controlnet and --controlnet-tile both name the Tile ControlNet; give one")
        }
        let unitFlags: [(String, Bool)] = [
            ("--controlnet-tile-module", controlNetTileModule != nil), ("--controlnet-tile-weight", controlNetTileWeight != nil),
            ("--controlnet-tile-guidance-start", controlNetTileGuidanceStart != nil),
            ("--controlnet-tile-guidance-end", controlNetTileGuidanceEnd != nil),
            ("--controlnet-tile-control-mode", controlNetTileControlMode != nil),
            ("--controlnet-tile-threshold-a", controlNetTileThresholdA != nil),
            ("--controlnet-tile-threshold-b", controlNetTileThresholdB != nil),
        ]
        if controlNetTile == nil, controlNet == nil, let flag = unitFlags.first(where: { $0.1 }) {
            throw CommandFailure("\(flag.0) sets up the Tile ControlNet and needs --controlnet-tile (or --controlnet)")
        }
        if let controlNetTile = controlNetTile ?? controlNet {
            var unit = DiffusionControlNetTile(model: controlNetTile)
            if let controlNetTileModule { unit.module = controlNetTileModule }
            if let controlNetTileWeight { unit.weight = controlNetTileWeight }
            if let controlNetTileGuidanceStart { unit.guidanceStart = controlNetTileGuidanceStart }
            if let controlNetTileGuidanceEnd { unit.guidanceEnd = controlNetTileGuidanceEnd }
            if let controlNetTileControlMode { unit.controlMode = controlNetTileControlMode }
            if let controlNetTileThresholdA { unit.thresholdA = controlNetTileThresholdA }
            if let controlNetTileThresholdB { unit.thresholdB = controlNetTileThresholdB }
            settings.controlNetTile = unit
        }
        return settings
    }
}

extension JobOptions {
    /// Upscaler names are matched without case (A1111 shows "Lanczos", jobs carry "lanczos"); a path keeps its case.
    static func upscalerName(_ flag: String) -> String {
        flag.contains("/") ? flag : flag.lowercased()
    }
}

extension TileOrder: ExpressibleByArgument {}
