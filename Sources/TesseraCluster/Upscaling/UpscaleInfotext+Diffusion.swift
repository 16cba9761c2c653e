import Foundation

extension UpscaleInfotext {
    /// A1111 img2img infotext (prompt line, "Negative prompt:" line, then the settings) plus Ultimate SD Upscale's
    /// keys, so A1111's "PNG Info" reads a diffusion upscale back as the img2img settings that made it.
    static func diffusionText(plan: UpscalePlan, settings: DiffusionUpscaleSettings, version: String) -> String {
        let spec = plan.spec
        let modelName = URL(fileURLWithPath: settings.checkpoint).deletingPathExtension().lastPathComponent
        var pairs: [(String, String)] = [
            ("Steps", "\(settings.steps)"),
            ("Sampler", settings.sampler),
            ("CFG scale", pythonNumber(settings.cfgScale)),
            ("Seed", "\(settings.seed)"),
            ("Size", "\(plan.outputWidth)x\(plan.outputHeight)"),
            ("Model", modelName),
            ("Denoising strength", pythonNumber(settings.denoisingStrength)),
        ]
        if let unit = settings.controlNetTile {
            let model = URL(fileURLWithPath: unit.model).deletingPathExtension().lastPathComponent
            // The extension writes its sliders between the weight and the guidance range.
            let sliders = [("Threshold A", unit.thresholdA), ("Threshold B", unit.thresholdB)]
                .filter { $0.1 != -1 }.map { "\($0.0): \(pythonNumber($0.1)), " }.joined()
            pairs.append(("ControlNet 0",
                "Module: \(unit.module), Model: \(model), Weight: \(pythonNumber(unit.weight)), \(sliders)"
                    + "Guidance Start: \(pythonNumber(unit.guidanceStart)), Guidance End: \(pythonNumber(unit.guidanceEnd)), "
                    + "Control Mode: \(unit.controlMode)"))
        }
        pairs += [
            ("Ultimate SD upscale upscaler", displayName(settings.preUpscaler)),
            ("Ultimate SD upscale tile_width", "\(spec.tileWidth)"),
            ("Ultimate SD upscale tile_height", "\(spec.effectiveTileHeight)"),
            ("Ultimate SD upscale padding", "\(spec.padding)"),
        ]
        if spec.tileMode == .usdu { pairs.append(("Ultimate SD upscale mask_blur", "\(spec.maskBlur)")) }
        pairs += [
            ("Tessera tile mode", spec.tileMode == .usdu ? "USDU" : "Feather"),
            ("Tessera tile order", spec.order == .linear ? "Linear" : "Chess"),
            ("Tessera tile seeds", settings.sameSeedForAllTiles ? "Same" : "Seed + tile index"),
            ("Tessera seams fix", spec.seamsFixType.label),
        ]
        switch spec.seamsFixType {
        case .none:
            break
        case .bandPass:
            pairs += [
                ("Tessera seams fix width", "\(spec.seamsFixWidth)"),
                ("Tessera seams fix denoise", pythonNumber(spec.seamsFixDenoise)),
                ("Tessera seams fix padding", "\(spec.seamsFixPadding)"),
            ]
        case .halfTile, .halfTileIntersections:
            pairs += [
                ("Tessera seams fix denoise", pythonNumber(spec.seamsFixDenoise)),
                ("Tessera seams fix mask blur", "\(spec.seamsFixMaskBlur)"),
                ("Tessera seams fix padding", "\(spec.seamsFixPadding)"),
            ]
        }
        if spec.inpaint {
            pairs += [("Mask blur", "\(spec.maskBlur)"), ("Tessera inpaint", "Only tiles the blurred mask reaches")]
        }
        pairs += [
            ("Color fix", settings.colorFix.rawValue),
            ("Version", version),
        ]
        var lines = [settings.prompt]
        if !settings.negativePrompt.isEmpty { lines.append("Negative prompt: \(settings.negativePrompt)") }
        lines.append(pairs.map { "\($0.0): \(quote($0.1))" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
