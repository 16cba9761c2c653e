import TesseraTensor

extension CLIPTextEncoder {
    /// A1111's conditioning for one prompt: each 77-token chunk is encoded (with `clipSkip`),
    /// weighted by its per-token `multipliers` with the "Original" emphasis mean restoration, and
    /// the chunks are concatenated along the token axis: `[1, 77·chunks, width]`.
    ///
    /// `multipliers` nil means every weight is 1 (no emphasis step, as A1111 skips it then).
    public func conditioning(chunks: [[Int]], multipliers: [[Float]]? = nil, clipSkip: Int = 1) throws -> Tensor {
        guard !chunks.isEmpty else { throw ModelError("prompt conditioning", "a prompt needs at least one chunk") }
        if let multipliers {
            guard multipliers.count == chunks.count, zip(multipliers, chunks).allSatisfy({ $0.count == $1.count }) else {
                throw ModelError("prompt conditioning", "multipliers must have one value per token of every chunk")
            }
        }
        var z = try self(chunks, clipSkip: clipSkip)
        if let multipliers {
            let t = chunks[0].count
            z = try applyEmphasis(z, multipliers: Tensor(shape: [chunks.count, t], data: multipliers.flatMap { $0 }))
        }
        let (n, t, d) = (z.shape[0], z.shape[1], z.shape[2])
        return z.reshaped([1, n * t, d])
    }
}
