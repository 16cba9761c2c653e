import TesseraTensor

/// `UNetMidBlock2DCrossAttn`: ResNet, transformer, ResNet at the lowest resolution.
struct MidBlock: Sendable {
    let resnet1: ResnetBlock, attention: Transformer2D, resnet2: ResnetBlock

    init(_ loader: ParameterLoader, config: UNetConfiguration) throws {
        let c = config.blockOutChannels.last!
        let level = config.blockOutChannels.count - 1
        resnet1 = try ResnetBlock(loader, "mid_block.resnets.0", in: c, out: c, timeEmbeddingWidth: config.timeEmbeddingWidth,
                                  groups: config.groups, eps: config.eps)
        attention = try Transformer2D(loader, "mid_block.attentions.0", channels: c, contextWidth: config.crossAttentionDim,
                                      heads: config.heads[level], layers: config.transformerLayers,
                                      linearProjection: config.linearProjection, groups: config.groups)
        resnet2 = try ResnetBlock(loader, "mid_block.resnets.1", in: c, out: c, timeEmbeddingWidth: config.timeEmbeddingWidth,
                                  groups: config.groups, eps: config.eps)
    }

    func callAsFunction(_ x: Tensor, time: Tensor, context: Tensor) -> Tensor {
        resnet2(attention(resnet1(x, activatedTime: time), context: context), activatedTime: time)
    }
}
