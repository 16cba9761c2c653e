/// One latent tile: its origin and size in latent pixels.
public struct LatentTile: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The tile's box in image pixels, `[8y, 8(y+h)) × [8x, 8(x+w))`: where its ControlNet hint is cropped from.
    public var pixelBox: (x: Int, y: Int, width: Int, height: Int) { (x * 8, y * 8, width * 8, height * 8) }
}

/// The Tiled Diffusion latent grid (spec §7.2, the extension's `split_bboxes`): equal-size tiles spread evenly over
/// the latent, so neighbours overlap by at least the requested overlap; tiles are listed row-major, and that order
/// is the fixed order every fusion sums in.
public struct TiledDiffusionGrid: Sendable, Equatable {
    public let latentWidth: Int
    public let latentHeight: Int
    /// Tile size after clamping to the latent.
    public let tileWidth: Int
    public let tileHeight: Int
    /// Overlap after clamping to `min(UI tile width, UI tile height) − 4`.
    public let overlap: Int
    public let rows: Int
    public let cols: Int
    /// Row-major.
    public let tiles: [LatentTile]

    /// `tileWidth`/`tileHeight`/`overlap` are the UI values (latent px).
    public init(latentWidth w: Int, latentHeight h: Int, tileWidth uiTileWidth: Int, tileHeight uiTileHeight: Int,
                overlap uiOverlap: Int) throws {
        guard w >= 1, h >= 1 else { throw PipelineError("latent size", "\(w)x\(h) is empty") }
        guard uiTileWidth >= 1, uiTileHeight >= 1 else {
            throw PipelineError("latent tile size", "\(uiTileWidth)x\(uiTileHeight) must be positive")
        }
        latentWidth = w
        latentHeight = h
        tileWidth = min(uiTileWidth, w)
        tileHeight = min(uiTileHeight, h)
        // The extension clamps against the UI sizes, before they are cut down to the image.
        overlap = max(0, min(uiOverlap, min(uiTileWidth, uiTileHeight) - 4))
        // A tile cut down to the image is the only column (the extension's formula would divide by
        // w − overlap, which is zero or negative when the image is not wider than the overlap).
        cols = tileWidth >= w ? 1 : Self.ceilDiv(w - overlap, tileWidth - overlap)
        rows = tileHeight >= h ? 1 : Self.ceilDiv(h - overlap, tileHeight - overlap)
        let dx = cols > 1 ? Double(w - tileWidth) / Double(cols - 1) : 0
        let dy = rows > 1 ? Double(h - tileHeight) / Double(rows - 1) : 0
        var tiles: [LatentTile] = []
        for row in 0..<rows {
            for col in 0..<cols {
                let x = min(Int(Double(col) * dx), w - tileWidth)
                let y = min(Int(Double(row) * dy), h - tileHeight)
                tiles.append(LatentTile(x: x, y: y, width: tileWidth, height: tileHeight))
            }
        }
        self.tiles = tiles
    }

    /// The grid of `settings` over a latent of `latentWidth`×`latentHeight`.
    public init(latentWidth: Int, latentHeight: Int, settings: TiledDiffusionSettings) throws {
        try self.init(latentWidth: latentWidth, latentHeight: latentHeight, tileWidth: settings.tileWidth,
                      tileHeight: settings.tileHeight, overlap: settings.overlap)
    }

    /// The extension's tile batches: `⌈N/bs⌉` batches of `⌈N/batches⌉` consecutive tiles (the last may be shorter).
    public func batches(size requested: Int) -> [Range<Int>] {
        let n = tiles.count
        let count = Self.ceilDiv(n, max(1, requested))
        let size = Self.ceilDiv(n, count)
        return stride(from: 0, to: n, by: size).map { $0..<min($0 + size, n) }
    }

    private static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
