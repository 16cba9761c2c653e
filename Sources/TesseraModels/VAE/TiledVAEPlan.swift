/// How a tiled VAE pass cuts one side of its input: disjoint core ranges that cover the side, each
/// read with `padding` extra pixels of context on both sides (clipped at the image border).
///
/// The padding is not a tuning knob: it is the receptive field of the tiled part of the network, so
/// every core pixel is computed exactly as the untiled network computes it.
public struct TiledVAEAxisPlan: Sendable, Equatable {
    /// Length of the side, in input pixels.
    public let size: Int
    /// Disjoint core ranges covering `0..<size`, in order.
    public let cores: [Range<Int>]
    /// Context read on each side of a core.
    public let padding: Int

    /// Splits `size` into cores of at most `tileSize`, as equal as `alignment` allows.
    init(size: Int, tileSize: Int, padding: Int, alignment: Int) {
        self.size = size
        self.padding = padding
        if size <= tileSize {
            cores = [0..<size]
            return
        }
        let count = (size + tileSize - 1) / tileSize
        let even = (size + count - 1) / count
        let step = (even + alignment - 1) / alignment * alignment
        cores = stride(from: 0, to: size, by: step).map { $0..<min($0 + step, size) }
    }

    /// The input range a core's tile reads: the core widened by the padding, clipped to the side.
    func region(of core: Range<Int>) -> Range<Int> {
        max(0, core.lowerBound - padding)..<min(size, core.upperBound + padding)
    }
}

/// The tiles of one tiled VAE pass: the row plan times the column plan.
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
