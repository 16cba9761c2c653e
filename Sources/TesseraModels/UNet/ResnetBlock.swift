import TesseraTensor

/// diffusers `ResnetBlock2D`: GroupNorm+SiLU → conv → (+ time embedding) → GroupNorm+SiLU → conv,
/// plus the input (through a 1×1 `conv_shortcut` when the channel count changes).
public struct ResnetBlock: Sendable {
    let norm1: GroupNormLayer, conv1: Conv2DLayer
    let timeProjection: LinearLayer?
    let norm2: GroupNormLayer, conv2: Conv2DLayer
    let shortcut: Conv2DLayer?

    /// `timeEmbeddingWidth` nil builds the VAE variant without `time_emb_proj`.
    init(_ loader: ParameterLoader, _ prefix: String, in inChannels: Int, out: Int,
         timeEmbeddingWidth: Int?, groups: Int, eps: Float) throws {
        norm1 = try GroupNormLayer(loader, "\(prefix).norm1", channels: inChannels, groups: groups, eps: eps)
        conv1 = try Conv2DLayer(loader, "\(prefix).conv1", in: inChannels, out: out, kernel: 3)
        timeProjection = try timeEmbeddingWidth.map {
            try LinearLayer(loader, "\(prefix).time_emb_proj", in: $0, out: out)
        }
        norm2 = try GroupNormLayer(loader, "\(prefix).norm2", channels: out, groups: groups, eps: eps)
        conv2 = try Conv2DLayer(loader, "\(prefix).conv2", in: out, out: out, kernel: 3)
        shortcut = inChannels == out ? nil : try Conv2DLayer(loader, "\(prefix).conv_shortcut", in: inChannels, out: out, kernel: 1)
    }

    /// `activatedTime` is `silu(temb)` `[N, width]`, shared by every block of a UNet step.
    func callAsFunction(_ x: Tensor, activatedTime: Tensor?) -> Tensor {
        var h = conv1(norm1(x, silu: true))
        if let timeProjection, let activatedTime {
            h.addPerChannel(timeProjection(activatedTime))
        }
        h = conv2(norm2(h, silu: true))
        if let shortcut { h.add(shortcut(x)) } else { h.add(x) }
        return h
    }
}
