/// How a tiled VAE pass cuts one side of an activation: disjoint core ranges, as equal as
/// possible, that cover the side. Each tile computes its core and reads only the few context
/// pixels its local operations need around it.
public struct TiledVAEAxisPlan: Sendable, Equatable {
    /// Length of the side, in pixels.
    public let size: Int
    /// Disjoint core ranges covering `0..<size`, in order.
    public let cores: [Range<Int>]

    /// Splits `size` into cores of at most `tileSize`, as equal as `alignment` allows.
    init(size: Int, tileSize: Int, alignment: Int = 1) {
        self.size = size
        cores = Self.cores(size: size, tileSize: tileSize, alignment: alignment)
    }

    static func cores(size: Int, tileSize: Int, alignment: Int = 1) -> [Range<Int>] {
        if size <= tileSize { return [0..<size] }
        let count = (size + tileSize - 1) / tileSize
        let even = (size + count - 1) / count
        let step = (even + alignment - 1) / alignment * alignment
        return stride(from: 0, to: size, by: step).map { $0..<min($0 + step, size) }
    }
}

/// The tiles of a tiled VAE pass at the resolution of its input (the latent for a decode, the
/// image for an encode); every later stage cuts its own output in proportion.
public struct TiledVAEPlan: Sendable, Equatable {
    /// Cuts of the height.
    public let rows: TiledVAEAxisPlan
    /// Cuts of the width.
    public let columns: TiledVAEAxisPlan

    /// Number of tiles.
    public var tileCount: Int { rows.cores.count * columns.cores.count }

    /// True when one tile covers the whole input, so the untiled network is run instead.
    public var isSingleTile: Bool { tileCount == 1 }
}
