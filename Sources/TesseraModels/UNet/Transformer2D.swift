import TesseraTensor

/// diffusers `BasicTransformerBlock`: self-attention, cross-attention on the text, GEGLU
/// feed-forward, each after a LayerNorm and added back to its input.
struct BasicTransformerBlock: Sendable {
    let norm1: LayerNormLayer, attn1: CrossAttention
    let norm2: LayerNormLayer, attn2: CrossAttention
    let norm3: LayerNormLayer, ffIn: LinearLayer, ffOut: LinearLayer

    init(_ loader: ParameterLoader, _ prefix: String, width: Int, contextWidth: Int, heads: Int) throws {
        norm1 = try LayerNormLayer(loader, "\(prefix).norm1", width: width, eps: 1e-5)
        attn1 = try CrossAttention(loader, "\(prefix).attn1", width: width, contextWidth: width, heads: heads)
        norm2 = try LayerNormLayer(loader, "\(prefix).norm2", width: width, eps: 1e-5)
        attn2 = try CrossAttention(loader, "\(prefix).attn2", width: width, contextWidth: contextWidth, heads: heads)
        norm3 = try LayerNormLayer(loader, "\(prefix).norm3", width: width, eps: 1e-5)
        let inner = 4 * width
        ffIn = try LinearLayer(loader, "\(prefix).ff.net.0.proj", in: width, out: 2 * inner)
        ffOut = try LinearLayer(loader, "\(prefix).ff.net.2", in: inner, out: width)
    }

    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        var h = x
        h.add(attn1(norm1(h)))
        h.add(attn2(norm2(h), context: context))
        h.add(ffOut(geglu(ffIn(norm3(h)))))
        return h
    }
}

/// diffusers `Transformer2DModel` (SD1.5 form): GroupNorm, `proj_in` (1×1 conv, or linear with
/// `use_linear_projection`), transformer blocks over the `H·W` tokens, `proj_out`, residual.
public struct Transformer2D: Sendable {
    let norm: GroupNormLayer
    let projIn: Projection, projOut: Projection
    let blocks: [BasicTransformerBlock]

    enum Projection: Sendable {
        case conv(Conv2DLayer), linear(LinearLayer)
    }

    init(_ loader: ParameterLoader, _ prefix: String, channels: Int, contextWidth: Int, heads: Int,
         layers: Int, linearProjection: Bool, groups: Int) throws {
        norm = try GroupNormLayer(loader, "\(prefix).norm", channels: channels, groups: groups, eps: 1e-6)
        if linearProjection {
            projIn = .linear(try LinearLayer(loader, "\(prefix).proj_in", in: channels, out: channels))
            projOut = .linear(try LinearLayer(loader, "\(prefix).proj_out", in: channels, out: channels))
        } else {
            projIn = .conv(try Conv2DLayer(loader, "\(prefix).proj_in", in: channels, out: channels, kernel: 1))
            projOut = .conv(try Conv2DLayer(loader, "\(prefix).proj_out", in: channels, out: channels, kernel: 1))
        }
        blocks = try (0..<layers).map {
            try BasicTransformerBlock(loader, "\(prefix).transformer_blocks.\($0)", width: channels,
                                      contextWidth: contextWidth, heads: heads)
        }
    }

    /// `x` `[N, C, H, W]`, `context` `[N, S, contextWidth]`.
    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        let height = x.shape[2], width = x.shape[3]
        var tokens: Tensor
        switch projIn {
        case .conv(let conv): tokens = conv(norm(x)).imageToTokens()
        case .linear(let lin): tokens = lin(norm(x).imageToTokens())
        }
        for block in blocks { tokens = block(tokens, context: context) }
        var out: Tensor
        switch projOut {
        case .conv(let conv): out = conv(tokens.tokensToImage(height: height, width: width))
        case .linear(let lin): out = lin(tokens).tokensToImage(height: height, width: width)
        }
        out.add(x)
        return out
    }
}
