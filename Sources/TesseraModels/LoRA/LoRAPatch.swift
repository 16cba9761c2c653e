import TesseraTensor

/// A low-rank weight update for one module, as LoRA-family files store it.
///
/// `target` is the module's diffusers / transformers name (`down_blocks.0.attentions.0.proj_in`,
/// `text_model.encoder.layers.0.mlp.fc1`); the update applies to `<target>.weight`.
public struct LoRAPatch: Sendable, Equatable {
    /// The update's factors.
    public enum Factors: Sendable, Equatable {
        /// LoRA / LoCon: `delta = up · down`; `up` is `[O, r]` (or `[O, r, 1, 1]`), `down` `[r, I]`
        /// or `[r, C, kh, kw]` for convolutions.
        case lowRank(up: Tensor, down: Tensor)
        /// LoHa (LyCORIS): `delta = (w1a · w1b) ⊙ (w2a · w2b)`.
        case hadamard(w1a: Tensor, w1b: Tensor, w2a: Tensor, w2b: Tensor)
    }

    /// Module name the update applies to (`<target>.weight`).
    public var target: String
    /// The stored factors.
    public var factors: Factors
    /// The file's `alpha`; nil means alpha = rank (scale 1).
    public var alpha: Float?

    public init(target: String, factors: Factors, alpha: Float?) {
        self.target = target
        self.factors = factors
        self.alpha = alpha
    }

    /// The rank `r` of the update.
    public var rank: Int {
        switch factors {
        case .lowRank(_, let down): return down.shape[0]
        case .hadamard(_, let w1b, _, _): return w1b.shape[0]
        }
    }

    /// `alpha / rank`, the factor the update is multiplied by before the user's multiplier.
    public var scale: Float { (alpha ?? Float(rank)) / Float(rank) }

    /// The update `scale · delta` shaped like the target weight (`targetShape`).
    public func delta(targetShape: [Int]) throws -> Tensor {
        let elements = targetShape.reduce(1, *)
        let raw: Tensor
        switch factors {
        case .lowRank(let up, let down):
            raw = try product(up, down, target: target)
        case .hadamard(let w1a, let w1b, let w2a, let w2b):
            let a = try product(w1a, w1b, target: target), b = try product(w2a, w2b, target: target)
            guard a.count == b.count else {
                throw ModelError(target, "LoHa halves have \(a.count) and \(b.count) elements")
            }
            var data = a.data
            for i in data.indices { data[i] *= b.data[i] }
            raw = Tensor(shape: a.shape, data: data)
        }
        guard raw.count == elements else {
            throw ModelError(target, "update has \(raw.shape) = \(raw.count) elements but the weight is \(targetShape)")
        }
        return Tensor(shape: targetShape, data: raw.data) * scale
    }
}

/// `a [m, r, ...1] · b [r, ...]` flattened to `[m, rest]`.
private func product(_ a: Tensor, _ b: Tensor, target: String) throws -> Tensor {
    guard a.rank >= 2, b.rank >= 2 else { throw ModelError(target, "low-rank factors must have at least 2 dimensions, got \(a.shape) and \(b.shape)") }
    let m = a.shape[0], r = a.count / m
    let n = b.count / b.shape[0]
    guard b.shape[0] == r else {
        throw ModelError(target, "low-rank factors \(a.shape) and \(b.shape) do not share a rank")
    }
    return Tensor(shape: [m, n]) { out in
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                BLAS.gemmSerial(m: m, n: n, k: r, a: pa.baseAddress!, lda: r, b: pb.baseAddress!, ldb: n,
                                c: out.baseAddress!, ldc: n)
            }
        }
    }
}
