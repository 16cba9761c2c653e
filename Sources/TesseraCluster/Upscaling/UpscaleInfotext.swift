import Foundation

/// The A1111-style `parameters` text describing an upscale job, written into the output PNG.
///
/// A1111's Extras tab describes an upscale with "Postprocess upscale by/to" and "Postprocess upscaler"; the tile
/// settings use Ultimate SD Upscale's key names. Values are quoted the way A1111's `quote` does (JSON string when
/// the value contains `,`, `:` or a newline) so A1111's parser reads them back.
public enum UpscaleInfotext {
    public static func text(plan: UpscalePlan, version: String) -> String {
        let spec = plan.spec
        if let diffusion = spec.diffusion { return diffusionText(plan: plan, settings: diffusion, version: version) }
        var pairs: [(String, String)] = [("Size", "\(plan.outputWidth)x\(plan.outputHeight)")]
        if spec.width > 0 || spec.height > 0 {
            pairs.append(("Postprocess upscale to", "\(plan.outputWidth)x\(plan.outputHeight)"))
        } else {
            pairs.append(("Postprocess upscale by", pythonNumber(spec.scale)))
        }
        let upscalerLabel = displayName(spec.upscaler)
        pairs += [
            ("Postprocess upscaler", upscalerLabel),
            ("Ultimate SD upscale upscaler", upscalerLabel),
            ("Ultimate SD upscale tile_width", "\(spec.tileWidth)"),
            ("Ultimate SD upscale tile_height", "\(spec.effectiveTileHeight)"),
            ("Ultimate SD upscale padding", "\(spec.padding)"),
            ("Tessera tile order", spec.order == .linear ? "Linear" : "Chess"),
            ("Version", version),
        ]
        return pairs.map { "\($0.0): \(quote($0.1))" }.joined(separator: ", ")
    }

    /// A1111's upscaler labels ("Lanczos", "Nearest", …).
    static func displayName(_ name: String) -> String {
        name.prefix(1).uppercased() + name.dropFirst()
    }

    /// Python `str()` of a float as Gradio sends it: integral values print as ints (`2`), others as `1.5`.
    static func pythonNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }

    static func quote(_ value: String) -> String {
        guard value.contains(",") || value.contains(":") || value.contains("\n") else { return value }
        let data = try? JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])
        let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}
