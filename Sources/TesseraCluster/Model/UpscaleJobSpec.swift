import TesseraImaging

/// What a client asks the cluster to do: upscale one image in tiles.
///
/// Coding keys follow Ultimate SD Upscale / A1111 names (`tile_width`, `padding`, `redraw_mode`, …) so job files read
/// like the parameters an A1111 user already knows.
public struct UpscaleJobSpec: Codable, Sendable, Equatable {
    /// Renderer name, e.g. "lanczos", "bicubic", "nearest" (A1111 upscaler name, lower-cased).
    public var upscaler: String
    /// Scale factor; ignored when both `width` and `height` are set.
    public var scale: Double
    /// Explicit target size (A1111 "custom width/height"); 0 means "from scale".
    public var width: Int
    public var height: Int
    public var tileWidth: Int
    /// 0 means "same as tile width" (USDU convention).
    public var tileHeight: Int
    public var padding: Int
    /// Width of the cross-faded overlap between neighbouring tiles (Tessera's own setting; A1111 has none).
    /// nil = min(32, 2 × padding), kept even and below the tile size.
    public var feather: Int?
    public var order: TileOrder
    /// 0…100, higher first; FIFO within one priority.
    public var priority: Int
    /// Stable Diffusion redraw settings; set exactly when `upscaler` is `DiffusionUpscaleSettings.rendererName`.
    public var diffusion: DiffusionUpscaleSettings?
    /// Latent-space Tiled Diffusion over the whole image instead of independent pixel tiles (needs `diffusion`);
    /// distributed per model call by the coordinator (docs/distributed-multidiffusion.md).
    public var tiledDiffusion: TiledDiffusionJobSettings? = nil

    public static let defaultPriority = 50

    public init(
        upscaler: String = "lanczos", scale: Double = 2, width: Int = 0, height: Int = 0, tileWidth: Int = 512,
        tileHeight: Int = 0, padding: Int = 32, feather: Int? = nil, order: TileOrder = .linear,
        priority: Int = defaultPriority, diffusion: DiffusionUpscaleSettings? = nil
    ) {
        self.upscaler = upscaler
        self.scale = scale
        self.width = width
        self.height = height
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.padding = padding
        self.feather = feather
        self.order = order
        self.priority = priority
        self.diffusion = diffusion
    }

    enum CodingKeys: String, CodingKey {
        case upscaler, scale, width, height
        case tileWidth = "tile_width"
        case tileHeight = "tile_height"
        case padding, feather
        case order = "redraw_mode"
        case priority, diffusion
        case tiledDiffusion = "tiled_diffusion"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UpscaleJobSpec()
        upscaler = try c.decodeIfPresent(String.self, forKey: .upscaler) ?? d.upscaler
        // TOML distinguishes `2` from `2.0`; a scale is accepted either way.
        if let whole = try? c.decodeIfPresent(Int.self, forKey: .scale) {
            scale = Double(whole)
        } else {
            scale = try c.decodeIfPresent(Double.self, forKey: .scale) ?? d.scale
        }
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? d.height
        tileWidth = try c.decodeIfPresent(Int.self, forKey: .tileWidth) ?? d.tileWidth
        tileHeight = try c.decodeIfPresent(Int.self, forKey: .tileHeight) ?? d.tileHeight
        padding = try c.decodeIfPresent(Int.self, forKey: .padding) ?? d.padding
        feather = try c.decodeIfPresent(Int.self, forKey: .feather)
        order = try c.decodeIfPresent(TileOrder.self, forKey: .order) ?? d.order
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? d.priority
        diffusion = try c.decodeIfPresent(DiffusionUpscaleSettings.self, forKey: .diffusion)
        tiledDiffusion = try c.decodeIfPresent(TiledDiffusionJobSettings.self, forKey: .tiledDiffusion)
    }

    /// The tile height actually used (USDU: 0 takes the width).
    public var effectiveTileHeight: Int { tileHeight == 0 ? tileWidth : tileHeight }

    /// The feather width actually used.
    public var effectiveFeather: Int {
        if let feather { return feather }
        let wanted = min(32, 2 * padding, tileWidth - 8)
        return max(0, wanted - wanted % 2)
    }

    /// Output size for a source of `sourceWidth` × `sourceHeight`: the explicit size when given, else source × scale
    /// rounded down (A1111's `int(w * scale)`).
    public func targetSize(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        if width > 0 && height > 0 { return (width, height) }
        if width > 0 {
            return (width, max(1, Int((Double(sourceHeight) * Double(width) / Double(sourceWidth)).rounded())))
        }
        if height > 0 {
            return (max(1, Int((Double(sourceWidth) * Double(height) / Double(sourceHeight)).rounded())), height)
        }
        return (max(1, Int(Double(sourceWidth) * scale)), max(1, Int(Double(sourceHeight) * scale)))
    }

    /// Checks ranges; the error names the offending field.
    public func validate() throws {
        func bad(_ field: String, _ reason: String) -> ClusterError { .invalidParameter(field: field, reason: reason) }
        guard !upscaler.isEmpty else { throw bad("upscaler", "must not be empty") }
        guard scale.isFinite, scale > 0, scale <= 16 else { throw bad("scale", "must be in (0, 16], got \(scale)") }
        guard (0...16384).contains(width) else { throw bad("width", "must be in 0...16384, got \(width)") }
        guard (0...16384).contains(height) else { throw bad("height", "must be in 0...16384, got \(height)") }
        guard (16...4096).contains(tileWidth), tileWidth % 8 == 0 else {
            throw bad("tile_width", "must be a multiple of 8 in 16...4096, got \(tileWidth)")
        }
        guard tileHeight == 0 || tileHeight == tileWidth else {
            throw bad("tile_height", "must be 0 or equal to tile_width (tiles are square), got \(tileHeight)")
        }
        guard (0...512).contains(padding) else { throw bad("padding", "must be in 0...512, got \(padding)") }
        let f = effectiveFeather
        guard f >= 0, f % 2 == 0, f <= 2 * padding, f < tileWidth else {
            throw bad("feather", "must be even, at most 2 × padding (\(2 * padding)) and below tile_width, got \(f)")
        }
        guard (0...100).contains(priority) else { throw bad("priority", "must be in 0...100, got \(priority)") }
        if let tiledDiffusion {
            guard diffusion != nil else { throw bad("tiled_diffusion", "needs the job's [diffusion] settings") }
            _ = try tiledDiffusion.settings()
        }
        if upscaler == DiffusionUpscaleSettings.rendererName {
            guard let diffusion else { throw bad("diffusion", "settings are required when upscaler is \"\(upscaler)\"") }
            try diffusion.validate()
        } else if diffusion != nil {
            throw bad("diffusion", "settings need upscaler \"\(DiffusionUpscaleSettings.rendererName)\", got \"\(upscaler)\"")
        }
    }
}
