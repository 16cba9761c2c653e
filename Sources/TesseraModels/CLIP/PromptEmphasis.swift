import TesseraTensor

/// A1111's "Original" emphasis (modules/sd_emphasis.py `EmphasisOriginal`): every token's hidden
/// state is multiplied by its attention weight, then the whole chunk is rescaled so its mean
/// equals the mean before weighting.
///
/// `z` is `[N, T, D]`, `multipliers` `[N, T]`; means are over each whole `[T, D]` chunk.
public func applyEmphasis(_ z: Tensor, multipliers: Tensor) throws -> Tensor {
    guard z.rank == 3, multipliers.shape == [z.shape[0], z.shape[1]] else {
        throw ModelError("emphasis", "multipliers \(multipliers.shape) do not match hidden states \(z.shape)")
    }
    let (n, t, d) = (z.shape[0], z.shape[1], z.shape[2])
    var out = z
    for b in 0..<n {
        let range = (b * t * d)..<((b + 1) * t * d)
        // Double sums: the ratio of two means of ~60k values each.
        let before = z.data[range].reduce(0.0) { $0 + Double($1) } / Double(t * d)
        for i in 0..<t {
            let m = multipliers.data[b * t + i]
            for j in 0..<d { out.data[(b * t + i) * d + j] *= m }
        }
        let after = out.data[range].reduce(0.0) { $0 + Double($1) } / Double(t * d)
        let ratio = Float(before / after)
        for i in range { out.data[i] *= ratio }
    }
    return out
}
