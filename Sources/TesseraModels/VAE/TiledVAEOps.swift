import TesseraTensor

/// One step of the tiled part of a VAE network, flattened so a tile can stop at any GroupNorm.
enum TiledVAEOp: Sendable {
    case conv(Conv2DLayer)
    case norm(GroupNormLayer, silu: Bool)
    case upsampleNearest2x
    /// Remembers the current activation as a ResNet block's skip input.
    case beginResidual
    /// Adds the remembered skip input (through the 1×1 shortcut when there is one).
    case endResidual(shortcut: Conv2DLayer?)

    static func resnet(_ block: ResnetBlock) -> [TiledVAEOp] {
        [.beginResidual, .norm(block.norm1, silu: true), .conv(block.conv1),
         .norm(block.norm2, silu: true), .conv(block.conv2), .endResidual(shortcut: block.shortcut)]
    }

    /// Context needed on the low and high side of a tile's input so that its output is exact,
    /// found by walking the ops backwards from "no context needed" at the output.
    static func receptiveField(of ops: [TiledVAEOp]) -> Int {
        var low = 0, high = 0
        for op in ops.reversed() {
            switch op {
            case .conv(let layer):
                // Output pixels o read inputs o·s − pad … o·s − pad + k − 1.
                let k = layer.kernel, s = layer.stride, p = layer.padding
                low = low * s + max(p.top, p.left)
                high = max(0, high * s + k - s - min(p.top, p.left))
            case .upsampleNearest2x:
                low = (low + 1) / 2
                high = (high + 1) / 2
            case .norm, .beginResidual, .endResidual:
                break
            }
        }
        return max(low, high)
    }
}

extension Conv2DLayer {
    var kernel: Int { store[weight].shape[2] }
}

/// Where one axis of a tile sits in the whole activation, at the current layer's resolution.
struct TiledAxis: Sendable, Equatable {
    /// The pixels the tile's tensor holds.
    var region: Range<Int>
    /// The pixels of `region` whose values equal the untiled network's.
    var exact: Range<Int>
    /// The pixels this tile is responsible for (statistics and output).
    var core: Range<Int>
    /// Length of the whole activation along this axis.
    var size: Int

    /// The axis after a convolution with kernel `k`, stride `s` and padding `low`/`high`.
    func convolved(kernel k: Int, stride s: Int, low: Int, high: Int) throws -> TiledAxis {
        guard region.lowerBound % s == 0, core.lowerBound % s == 0,
              core.upperBound % s == 0 || core.upperBound == size else {
            throw ModelError("tiled VAE", "tile starting at \(region.lowerBound) is not aligned to stride \(s)")
        }
        let newSize = (size + low + high - k) / s + 1
        let start = region.lowerBound / s
        let newRegion = start..<(start + (region.count + low + high - k) / s + 1)
        // A zero-padded tile edge is only right where it is the image edge; elsewhere each output
        // pixel is exact only if every input it reads is exact.
        let exactLow = exact.lowerBound == 0 ? 0 : (exact.lowerBound + low + s - 1) / s
        let exactHigh = exact.upperBound == size ? newSize : max(0, floorDivision(exact.upperBound - k + low, s) + 1)
        let lo = max(exactLow, newRegion.lowerBound), hi = max(lo, min(exactHigh, newRegion.upperBound))
        let newCore = (core.lowerBound / s)..<(core.upperBound == size ? newSize : core.upperBound / s)
        return TiledAxis(region: newRegion, exact: lo..<hi, core: newCore, size: newSize)
    }

    private func floorDivision(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    var upsampled: TiledAxis {
        TiledAxis(region: (2 * region.lowerBound)..<(2 * region.upperBound), exact: (2 * exact.lowerBound)..<(2 * exact.upperBound),
                  core: (2 * core.lowerBound)..<(2 * core.upperBound), size: 2 * size)
    }

    var coreIsExact: Bool { exact.lowerBound <= core.lowerBound && core.upperBound <= exact.upperBound }

    /// The core in the tile tensor's own coordinates.
    var localCore: Range<Int> { (core.lowerBound - region.lowerBound)..<(core.upperBound - region.lowerBound) }
}

/// One tile's activation while it runs through the ops, and where it is in them.
struct TiledVAETile: Sendable {
    var tensor: Tensor
    var rows: TiledAxis
    var columns: TiledAxis
    /// Index of the next op to run.
    var nextOp = 0
    /// GroupNorms already applied.
    var normsApplied = 0
    /// Open ResNet skip inputs.
    var skips: [TiledVAETile] = []

    init(tensor: Tensor, rows: TiledAxis, columns: TiledAxis) {
        self.tensor = tensor
        self.rows = rows
        self.columns = columns
    }
}

/// Runs tiles through `ops`. GroupNorm statistics are whole-image: `statistics[i]` is used at
/// the i-th GroupNorm; a tile that reaches a GroupNorm without statistics pauses there and returns
/// its contribution to them.
struct TiledVAERunner: Sendable {
    let ops: [TiledVAEOp]

    enum Outcome {
        case paused(TiledVAETile, TiledGroupSums)
        case finished(TiledVAETile)
    }

    var normCount: Int {
        ops.reduce(0) { if case .norm = $1 { return $0 + 1 } else { return $0 } }
    }

    func run(_ start: TiledVAETile, statistics: [TiledGroupStatistics]) throws -> Outcome {
        var tile = start
        while tile.nextOp < ops.count {
            switch ops[tile.nextOp] {
            case .conv(let layer):
                let k = layer.kernel, p = layer.padding
                tile.rows = try tile.rows.convolved(kernel: k, stride: layer.stride, low: p.top, high: p.bottom)
                tile.columns = try tile.columns.convolved(kernel: k, stride: layer.stride, low: p.left, high: p.right)
                tile.tensor = layer(tile.tensor)
            case .norm(let layer, let silu):
                guard tile.rows.coreIsExact, tile.columns.coreIsExact else {
                    throw ModelError("tiled VAE", "tile padding does not cover the receptive field before GroupNorm \(tile.normsApplied)")
                }
                if tile.normsApplied == statistics.count {
                    var sums = TiledGroupSums(slots: tile.tensor.shape[0] * layer.groups)
                    sums.accumulate(tile.tensor, groups: layer.groups, rows: tile.rows.localCore, columns: tile.columns.localCore)
                    return .paused(tile, sums)
                }
                tile.tensor = statistics[tile.normsApplied].normalize(tile.tensor, layer: layer, silu: silu)
                tile.normsApplied += 1
            case .upsampleNearest2x:
                tile.rows = tile.rows.upsampled
                tile.columns = tile.columns.upsampled
                tile.tensor = tile.tensor.upsampledNearest2x()
            case .beginResidual:
                var skip = tile
                skip.skips = []
                tile.skips.append(skip)
            case .endResidual(let shortcut):
                let skip = tile.skips.removeLast()
                guard skip.rows.region == tile.rows.region, skip.columns.region == tile.columns.region else {
                    throw ModelError("tiled VAE", "a ResNet block changed its tile's extent")
                }
                tile.tensor.add(shortcut.map { $0(skip.tensor) } ?? skip.tensor)
                tile.rows.exact = intersect(tile.rows.exact, skip.rows.exact)
                tile.columns.exact = intersect(tile.columns.exact, skip.columns.exact)
            }
            tile.nextOp += 1
        }
        guard tile.rows.coreIsExact, tile.columns.coreIsExact else {
            throw ModelError("tiled VAE", "tile padding does not cover the network's receptive field")
        }
        return .finished(tile)
    }

    private func intersect(_ a: Range<Int>, _ b: Range<Int>) -> Range<Int> {
        let lo = max(a.lowerBound, b.lowerBound)
        return lo..<max(lo, min(a.upperBound, b.upperBound))
    }

    /// Runs every tile `makeTile(i)` (i in `0..<count`) to the end with whole-image GroupNorm
    /// statistics and hands each finished tile to `emit`.
    ///
    /// `.residentTiles` keeps every tile's activation between GroupNorms (memory ≈ the whole
    /// activation, compute ≈ one pass); `.recomputeTiles` keeps one tile and re-runs the tiles from
    /// their input up to each GroupNorm to gather its statistics (memory ≈ one tile, compute grows
    /// with the number of GroupNorms).
    func runAll(count: Int, eps: Float, strategy: TiledVAEStrategy,
                makeTile: (Int) -> TiledVAETile, emit: (TiledVAETile) throws -> Void) throws {
        let resident = strategy == .residentTiles
        var paused = [TiledVAETile?](repeating: nil, count: resident ? count : 0)
        var statistics: [TiledGroupStatistics] = []
        for _ in 0..<normCount {
            var total: TiledGroupSums?
            for i in 0..<count {
                let start = resident ? (paused[i] ?? makeTile(i)) : makeTile(i)
                guard case .paused(let tile, let sums) = try run(start, statistics: statistics) else {
                    throw ModelError("tiled VAE", "tile \(i) finished before GroupNorm \(statistics.count)")
                }
                if resident { paused[i] = tile }
                if total == nil { total = sums } else { total!.add(sums) }
            }
            statistics.append(total!.statistics(eps: eps))
        }
        for i in 0..<count {
            let start = resident ? (paused[i] ?? makeTile(i)) : makeTile(i)
            if resident { paused[i] = nil }
            guard case .finished(let tile) = try run(start, statistics: statistics) else {
                throw ModelError("tiled VAE", "tile \(i) stopped at a GroupNorm in the final pass")
            }
            try emit(tile)
        }
    }
}

/// How a tiled VAE pass trades memory for compute between whole-image GroupNorms.
public enum TiledVAEStrategy: Sendable, Equatable {
    /// Every tile's activation stays in memory between GroupNorms: one pass of compute, memory
    /// of the whole activation (the A1111 extension's way, there on the CPU side).
    case residentTiles
    /// One tile in memory; tiles are re-run from their input up to each GroupNorm to gather its
    /// statistics: memory of one tile, compute about (GroupNorms / 2) passes.
    case recomputeTiles
}
