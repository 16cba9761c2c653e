import TesseraTensor

/// A1111's classifier-free guidance, on x0 or eps outputs alike (the combination is linear,
/// so both give the same result up to rounding): `uncond + Σ_k (cond_k − uncond)·w_k·scale`,
/// with one term per AND-subprompt (weight w_k, 1 without AND).
public enum ClassifierFreeGuidance {
    /// Combines one conditional and one unconditional prediction of the same shape.
    public static func combine(cond: Tensor, uncond: Tensor, scale: Float) throws -> Tensor {
        try combine(conds: [cond], weights: [1], uncond: uncond, scale: scale)
    }

    /// Combines the predictions of several AND-subprompts with their weights, adding the
    /// terms in subprompt order as A1111 does.
    public static func combine(conds: [Tensor], weights: [Float], uncond: Tensor, scale: Float) throws -> Tensor {
        guard !conds.isEmpty, conds.count == weights.count else {
            throw SamplingError.mismatch("CFG: \(conds.count) cond predictions but \(weights.count) subprompt weights")
        }
        var out = uncond
        for (cond, weight) in zip(conds, weights) {
            guard cond.shape == uncond.shape else {
                throw SamplingError.mismatch("CFG: cond prediction shape \(cond.shape) differs from uncond \(uncond.shape)")
            }
            let factor = weight * scale
            out.data.withUnsafeMutableBufferPointer { o in
                cond.data.withUnsafeBufferPointer { c in
                    uncond.data.withUnsafeBufferPointer { u in
                        for i in 0..<o.count { o[i] += (c[i] - u[i]) * factor }
                    }
                }
            }
        }
        return out
    }
}

/// An eps model with CFG: for a batch of B latents it runs the wrapped model ONCE on a batch
/// laid out as A1111 builds it — for each image its K cond rows (one per AND-subprompt),
/// image after image, then one uncond row per image: `B·K + B` rows — and combines them.
public struct GuidedNoisePredictor: NoisePredictor {
    /// Guidance scale (A1111 "CFG Scale").
    public let scale: Float
    /// AND-subprompt weights, the same for every image (`[1]` for a plain prompt).
    public let subpromptWeights: [Float]
    private let batchedModel: (Tensor, Float) throws -> Tensor

    /// `batchedModel(batch, t)` must return eps for the rows described above.
    public init(scale: Float, subpromptWeights: [Float] = [1], batchedModel: @escaping (Tensor, Float) throws -> Tensor) {
        self.scale = scale
        self.subpromptWeights = subpromptWeights
        self.batchedModel = batchedModel
    }

    public func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor {
        guard let batch = x.shape.first, batch > 0, !subpromptWeights.isEmpty else {
            throw SamplingError.mismatch("CFG: latent batch has shape \(x.shape), expected [B, C, H, W], and at least one subprompt")
        }
        let k = subpromptWeights.count
        let rowSize = x.count / batch
        var input = [Float]()
        input.reserveCapacity(rowSize * batch * (k + 1))
        for b in 0..<batch {
            let row = x.data[(b * rowSize)..<((b + 1) * rowSize)]
            for _ in 0..<k { input += row }
        }
        input += x.data
        var shape = x.shape
        shape[0] = batch * (k + 1)
        let out = try batchedModel(Tensor(shape: shape, data: input), timestep)
        guard out.shape == shape else {
            throw SamplingError.mismatch("CFG: model returned shape \(out.shape) for a cond+uncond batch of \(shape)")
        }
        let rowShape = [1] + Array(x.shape.dropFirst())
        func row(_ r: Int) -> Tensor { Tensor(shape: rowShape, data: Array(out.data[(r * rowSize)..<((r + 1) * rowSize)])) }
        var result = [Float]()
        result.reserveCapacity(x.count)
        for b in 0..<batch {
            let conds = (0..<k).map { row(b * k + $0) }
            result += try ClassifierFreeGuidance.combine(conds: conds, weights: subpromptWeights, uncond: row(batch * k + b), scale: scale).data
        }
        return Tensor(shape: x.shape, data: result)
    }
}
