import TesseraTensor

/// Per-(batch, group) sums of a GroupNorm input, accumulated over the core regions of all tiles.
///
/// Sums are Double: a full-size activation group holds millions of values and the tiled mean
/// must match the untiled two-pass mean to well below 1e-4.
struct TiledGroupSums: Sendable {
    var sums: [Double]
    var squares: [Double]
    var count = 0

    init(slots: Int) {
        sums = [Double](repeating: 0, count: slots)
        squares = [Double](repeating: 0, count: slots)
    }

    /// Adds the values of `x` `[N, C, h, w]` inside `rows × columns` (local coordinates).
    mutating func accumulate(_ x: Tensor, groups: Int, rows: Range<Int>, columns: Range<Int>) {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let perGroup = c / groups
        var partSums = [Double](repeating: 0, count: n * groups)
        var partSquares = [Double](repeating: 0, count: n * groups)
        x.data.withUnsafeBufferPointer { src in
            partSums.withUnsafeMutableBufferPointer { ps in
                partSquares.withUnsafeMutableBufferPointer { pq in
                    let ps = ps, pq = pq
                    Parallel.forEach(n * groups) { ng in
                        let b = ng / groups, g = ng % groups
                        var sum = 0.0, squares = 0.0
                        for cc in 0..<perGroup {
                            let plane = src.baseAddress! + ((b * c) + g * perGroup + cc) * h * w
                            for y in rows {
                                let row = plane + y * w
                                for xx in columns {
                                    let v = Double(row[xx])
                                    sum += v
                                    squares += v * v
                                }
                            }
                        }
                        ps[ng] = sum
                        pq[ng] = squares
                    }
                }
            }
        }
        for i in 0..<sums.count {
            sums[i] += partSums[i]
            squares[i] += partSquares[i]
        }
        count += perGroup * rows.count * columns.count
    }

    mutating func add(_ other: TiledGroupSums) {
        for i in 0..<sums.count {
            sums[i] += other.sums[i]
            squares[i] += other.squares[i]
        }
        count += other.count
    }

    /// The whole-image mean and 1/sqrt(biased variance + eps) of every (batch, group).
    func statistics(eps: Float) -> TiledGroupStatistics {
        let total = Double(max(count, 1))
        var means = [Float](), inverses = [Float]()
        for i in 0..<sums.count {
            let mean = sums[i] / total
            let variance = max(0, squares[i] / total - mean * mean)
            means.append(Float(mean))
            inverses.append(Float(1 / (variance + Double(eps)).squareRoot()))
        }
        return TiledGroupStatistics(means: means, inverseDeviations: inverses)
    }
}

/// Frozen GroupNorm statistics of the whole image, applied to each tile.
struct TiledGroupStatistics: Sendable {
    let means: [Float]
    let inverseDeviations: [Float]

    /// GroupNorm of the tile `x` `[N, C, h, w]` with these statistics, the layer's affine
    /// parameters and optional SiLU.
    func normalize(_ x: Tensor, layer: GroupNormLayer, silu: Bool) -> Tensor {
        let n = x.shape[0], c = x.shape[1], plane = x.shape[2] * x.shape[3]
        let groups = layer.groups, perGroup = c / groups
        let weight = layer.store[layer.weight], bias = layer.store[layer.bias]
        return Tensor(shape: x.shape) { out in
            x.data.withUnsafeBufferPointer { src in
                Parallel.forEach(n * c) { nc in
                    let b = nc / c, ch = nc % c
                    let slot = b * groups + ch / perGroup
                    let scale = weight.data[ch] * inverseDeviations[slot]
                    let shift = bias.data[ch] - means[slot] * scale
                    let s = src.baseAddress! + nc * plane
                    let d = out.baseAddress! + nc * plane
                    for i in 0..<plane { d[i] = s[i] * scale + shift }
                    if silu { VectorMath.silu(d, count: plane) }
                }
            }
        }
    }
}
