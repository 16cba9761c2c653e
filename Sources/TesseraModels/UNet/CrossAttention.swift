import TesseraTensor

/// diffusers `Attention` as used in SD1.5 transformer blocks: bias-free `to_q/to_k/to_v`,
/// `to_out.0` with bias. Self-attention when no context is given, cross-attention otherwise.
public struct CrossAttention: Sendable {
    let toQ: LinearLayer, toK: LinearLayer, toV: LinearLayer, toOut: LinearLayer
    let heads: Int

    init(_ loader: ParameterLoader, _ prefix: String, width: Int, contextWidth: Int, heads: Int, qkvBias: Bool = false) throws {
        toQ = try LinearLayer(loader, "\(prefix).to_q", in: width, out: width, bias: qkvBias)
        toK = try LinearLayer(loader, "\(prefix).to_k", in: contextWidth, out: width, bias: qkvBias)
        toV = try LinearLayer(loader, "\(prefix).to_v", in: contextWidth, out: width, bias: qkvBias)
        toOut = try LinearLayer(loader, "\(prefix).to_out.0", in: width, out: width)
        self.heads = heads
    }

    /// `x` `[B, T, width]`; `context` `[B, S, contextWidth]` or nil for self-attention.
    func callAsFunction(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        let source = context ?? x
        let q = toQ(x), k = toK(source), v = toV(source)
        return toOut(attention(query: q, key: k, value: v, heads: heads))
    }
}
