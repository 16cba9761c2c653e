import TesseraTensor

/// The VAE mid-block self-attention: GroupNorm, single-head attention over all pixels with
/// biased `to_q/to_k/to_v/to_out.0`, added to the input. Blocked, so memory stays bounded at
/// any image size.
struct VAEAttention: Sendable {
    let norm: GroupNormLayer
    let attention: CrossAttention

    init(_ loader: ParameterLoader, _ prefix: String, channels: Int, groups: Int, eps: Float) throws {
        norm = try GroupNormLayer(loader, "\(prefix).group_norm", channels: channels, groups: groups, eps: eps)
        attention = try CrossAttention(loader, prefix, width: channels, contextWidth: channels, heads: 1, qkvBias: true)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = x.shape[2], w = x.shape[3]
        var out = attention(norm(x).imageToTokens()).tokensToImage(height: h, width: w)
        out.add(x)
        return out
    }
}

/// VAE mid block: ResNet, attention, ResNet.
struct VAEMidBlock: Sendable {
    let resnet1: ResnetBlock, attention: VAEAttention, resnet2: ResnetBlock

    init(_ loader: ParameterLoader, _ prefix: String, channels c: Int, groups: Int, eps: Float) throws {
        resnet1 = try ResnetBlock(loader, "\(prefix).resnets.0", in: c, out: c, timeEmbeddingWidth: nil, groups: groups, eps: eps)
        attention = try VAEAttention(loader, "\(prefix).attentions.0", channels: c, groups: groups, eps: eps)
        resnet2 = try ResnetBlock(loader, "\(prefix).resnets.1", in: c, out: c, timeEmbeddingWidth: nil, groups: groups, eps: eps)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        resnet2(attention(resnet1(x, activatedTime: nil)), activatedTime: nil)
    }
}
