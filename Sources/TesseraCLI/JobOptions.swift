import ArgumentParser
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

    /// `base` with every flag that was given applied on top.
    func spec(over base: UpscaleJobSpec = UpscaleJobSpec()) throws -> UpscaleJobSpec {
        var spec = base
        if let scale { spec.scale = scale }
        if let upscaler { spec.upscaler = upscaler.lowercased() }
        if let tileWidth { spec.tileWidth = tileWidth }
        if let tileHeight { spec.tileHeight = tileHeight }
        if let padding { spec.padding = padding }
        if let feather { spec.feather = feather }
        if let order { spec.order = order }
        if let width { spec.width = width }
        if let height { spec.height = height }
        if let priority { spec.priority = priority }
        try spec.validate()
        return spec
    }
}

extension TileOrder: ExpressibleByArgument {}
