import TesseraImaging

/// The resampling filters a classical (non-AI) tile renderer offers, by A1111 upscaler name.
public enum ClassicalUpscaler {
    public static let names = ["lanczos", "bicubic", "bilinear", "nearest"]

    public static func filter(named name: String) -> ResampleFilter? {
        switch name.lowercased() {
        case "lanczos": return .lanczos
        case "bicubic": return .bicubic
        case "bilinear": return .bilinear
        case "nearest": return .nearest
        default: return nil
        }
    }

    /// The imaging library's resampling renderer for this plan's upscaler.
    public static func renderer(for plan: UpscalePlan, source: RGBAImage) throws -> ResamplingTileRenderer {
        try renderer(for: plan, source: SourceWindow(whole: source))
    }

    /// The same over a window of the source (tiles outside it fail).
    public static func renderer(for plan: UpscalePlan, source: SourceWindow) throws -> ResamplingTileRenderer {
        guard let filter = filter(named: plan.spec.upscaler) else {
            throw ClusterError.invalidParameter(
                field: "upscaler",
                reason: "unknown upscaler \"\(plan.spec.upscaler)\" (available: \(names.joined(separator: ", ")))")
        }
        return ResamplingTileRenderer(window: source, filter: filter)
    }

    /// Renders tile `index` of `plan` from the source image or the window of it the tile reads.
    public static func renderTile(_ index: Int, plan: UpscalePlan, source: SourceWindow) throws -> RGBAImage {
        try renderer(for: plan, source: source).render(plan.tilePlan.tiles[index], of: plan.tilePlan)
    }
}
