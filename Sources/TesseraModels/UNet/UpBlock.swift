import TesseraTensor

/// One level of the UNet decoder: `CrossAttnUpBlock2D` or `UpBlock2D`. Each ResNet takes the
/// running tensor concatenated with one skip tensor from the encoder, most recent first.
struct UpBlock: Sendable {
    let resnets: [ResnetBlock]
    let attentions: [Transformer2D]
    let upsampler: Conv2DLayer?

    /// `index` counts up blocks from the lowest resolution (diffusers `up_blocks.<index>`).
    init(_ loader: ParameterLoader, index: Int, config: UNetConfiguration) throws {
        let reversed = Array(config.blockOutChannels.reversed())
        let levels = reversed.count
        let out = reversed[index]
        let previous = reversed[max(0, index - 1)]
        let skipIn = reversed[min(index + 1, levels - 1)]
        let level = levels - 1 - index
        let p = "up_blocks.\(index)"
        let count = config.layersPerBlock + 1
        resnets = try (0..<count).map { j in
            let skip = j == count - 1 ? skipIn : out
            let input = j == 0 ? previous : out
            return try ResnetBlock(loader, "\(p).resnets.\(j)", in: input + skip, out: out,
                                   timeEmbeddingWidth: config.timeEmbeddingWidth, groups: config.groups, eps: config.eps)
        }
        attentions = config.attentionLevels[level] ? try (0..<count).map { j in
            try Transformer2D(loader, "\(p).attentions.\(j)", channels: out, contextWidth: config.crossAttentionDim,
                              heads: config.heads[level], layers: config.transformerLayers,
                              linearProjection: config.linearProjection, groups: config.groups)
        } : []
        upsampler = index == levels - 1 ? nil : try Conv2DLayer(loader, "\(p).upsamplers.0.conv", in: out, out: out, kernel: 3)
    }

    /// Number of skip tensors this block consumes.
    var skipCount: Int { resnets.count }

    /// `skips` in the order they are consumed (most recent first).
    /// `upsampleTo` is the size of the next level's skips: odd latent sides make it differ from 2×.
    func callAsFunction(_ x: Tensor, skips: [Tensor], time: Tensor, context: Tensor, upsampleTo: (Int, Int)?) -> Tensor {
        var h = x
        for (j, resnet) in resnets.enumerated() {
            h = resnet(Tensor.concatChannels([h, skips[j]]), activatedTime: time)
            if !attentions.isEmpty { h = attentions[j](h, context: context) }
        }
        if let upsampler {
            let (th, tw) = upsampleTo ?? (2 * h.shape[2], 2 * h.shape[3])
            h = upsampler(th == 2 * h.shape[2] && tw == 2 * h.shape[3] ? h.upsampledNearest2x() : h.upsampledNearest(height: th, width: tw))
        }
        return h
    }
}
