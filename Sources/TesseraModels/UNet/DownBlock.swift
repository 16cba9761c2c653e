import TesseraTensor

/// One level of the UNet (or ControlNet) encoder: `CrossAttnDownBlock2D` or `DownBlock2D`.
/// ResNet blocks, each optionally followed by a transformer, then an optional stride-2 conv.
struct DownBlock: Sendable {
    let resnets: [ResnetBlock]
    let attentions: [Transformer2D]
    let downsampler: Conv2DLayer?

    init(_ loader: ParameterLoader, level: Int, config: UNetConfiguration, inChannels: Int) throws {
        let p = "down_blocks.\(level)"
        let out = config.blockOutChannels[level]
        resnets = try (0..<config.layersPerBlock).map { j in
            try ResnetBlock(loader, "\(p).resnets.\(j)", in: j == 0 ? inChannels : out, out: out,
                            timeEmbeddingWidth: config.timeEmbeddingWidth, groups: config.groups, eps: config.eps)
        }
        attentions = config.attentionLevels[level] ? try (0..<config.layersPerBlock).map { j in
            try Transformer2D(loader, "\(p).attentions.\(j)", channels: out, contextWidth: config.crossAttentionDim,
                              heads: config.heads[level], layers: config.transformerLayers,
                              linearProjection: config.linearProjection, groups: config.groups)
        } : []
        let isLast = level == config.blockOutChannels.count - 1
        downsampler = isLast ? nil : try Conv2DLayer(loader, "\(p).downsamplers.0.conv", in: out, out: out, kernel: 3, stride: 2)
    }

    /// Returns the level's output and the skip tensors it contributes (one per ResNet, plus the downsampled one).
    func callAsFunction(_ x: Tensor, time: Tensor, context: Tensor) -> (Tensor, [Tensor]) {
        var h = x
        var skips: [Tensor] = []
        for (j, resnet) in resnets.enumerated() {
            h = resnet(h, activatedTime: time)
            if !attentions.isEmpty { h = attentions[j](h, context: context) }
            skips.append(h)
        }
        if let downsampler {
            h = downsampler(h)
            skips.append(h)
        }
        return (h, skips)
    }
}
