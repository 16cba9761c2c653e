import TesseraTensor

/// One pre-norm CLIP transformer layer: causal self-attention and an MLP, each added back.
struct CLIPEncoderLayer: Sendable {
    let norm1: LayerNormLayer
    let q: LinearLayer, k: LinearLayer, v: LinearLayer, out: LinearLayer
    let norm2: LayerNormLayer
    let fc1: LinearLayer, fc2: LinearLayer
    let heads: Int
    let activation: Activation

    init(_ loader: ParameterLoader, _ p: String, config: CLIPTextConfiguration) throws {
        let w = config.width
        norm1 = try LayerNormLayer(loader, "\(p).layer_norm1", width: w, eps: config.eps)
        q = try LinearLayer(loader, "\(p).self_attn.q_proj", in: w, out: w)
        k = try LinearLayer(loader, "\(p).self_attn.k_proj", in: w, out: w)
        v = try LinearLayer(loader, "\(p).self_attn.v_proj", in: w, out: w)
        out = try LinearLayer(loader, "\(p).self_attn.out_proj", in: w, out: w)
        norm2 = try LayerNormLayer(loader, "\(p).layer_norm2", width: w, eps: config.eps)
        fc1 = try LinearLayer(loader, "\(p).mlp.fc1", in: w, out: config.intermediateWidth)
        fc2 = try LinearLayer(loader, "\(p).mlp.fc2", in: config.intermediateWidth, out: w)
        heads = config.heads
        activation = config.activation
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        let n = norm1(h)
        h.add(out(attention(query: q(n), key: k(n), value: v(n), heads: heads, causal: true)))
        var m = fc1(norm2(h))
        m.apply(activation)
        h.add(fc2(m))
        return h
    }
}
