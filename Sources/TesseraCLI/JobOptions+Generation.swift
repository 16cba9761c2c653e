import TesseraCluster

extension JobOptions {
    /// A `[generation]` job file's settings with the flags that mean the same in A1111's txt2img / img2img applied
    /// on top; a flag that only means something for an upscale is an error naming it (it would be silently unused).
    func generationSettings(over base: GenerationJobSettings) throws -> GenerationJobSettings {
        let upscaleOnly: [(String, Bool)] = [
            ("--scale", scale != nil), ("--upscaler", upscaler != nil), ("--tile", tileWidth != nil),
            ("--tile-height", tileHeight != nil), ("--padding", padding != nil), ("--feather", feather != nil),
            ("--order", order != nil), ("--same-seed-for-all-tiles", sameSeedForAllTiles),
            ("--controlnet-tile", controlNetTile != nil), ("--controlnet", controlNet != nil),
            ("--controlnet-tile-module", controlNetTileModule != nil), ("--controlnet-tile-weight", controlNetTileWeight != nil),
            ("--controlnet-tile-guidance-start", controlNetTileGuidanceStart != nil),
            ("--controlnet-tile-guidance-end", controlNetTileGuidanceEnd != nil),
            ("--controlnet-tile-control-mode", controlNetTileControlMode != nil), ("--tile-mode", tileMode != nil),
            ("--controlnet-tile-threshold-a", controlNetTileThresholdA != nil),
            ("--controlnet-tile-threshold-b", controlNetTileThresholdB != nil),
            ("--seams-fix", seamsFix != nil), ("--seams-fix-width", seamsFixWidth != nil),
            ("--seams-fix-denoise", seamsFixDenoise != nil), ("--seams-fix-mask-blur", seamsFixMaskBlur != nil),
            ("--seams-fix-padding", seamsFixPadding != nil), ("--color-fix", colorFix != nil),
        ]
        if let flag = upscaleOnly.first(where: { $0.1 }) {
            throw CommandFailure("\(flag.0) is an upscale setting and does not apply to a [generation] job file (ControlNet units go in [[generation.controlnet]])")
        }
        var settings = base
        if let checkpoint { settings.checkpoint = checkpoint }
        if let prompt { settings.prompt = prompt }
        if let negativePrompt { settings.negativePrompt = negativePrompt }
        if let sampler { settings.sampler = sampler }
        if let steps { settings.steps = steps }
        if let cfgScale { settings.cfgScale = cfgScale }
        if let denoisingStrength { settings.denoisingStrength = denoisingStrength }
        if let seed { settings.seed = seed }
        if let width { settings.width = width }
        if let height { settings.height = height }
        if let maskBlur { settings.maskBlur = Double(maskBlur) }
        return settings
    }
}
