import TesseraTensor

/// The VAE encoder plus `quant_conv`: image `[N, 3, H, W]` in [-1, 1] → moments `[N, 2·latent, H/8, W/8]`.
struct VAEEncoder: Sendable {
    let convIn: Conv2DLayer
    let levels: [(resnets: [ResnetBlock], downsampler: Conv2DLayer?)]
    let mid: VAEMidBlock
    let normOut: GroupNormLayer
    let convOut: Conv2DLayer
    let quantConv: Conv2DLayer

    init(_ loader: ParameterLoader, config: VAEConfiguration) throws {
        let channels = config.blockOutChannels
        convIn = try Conv2DLayer(loader, "encoder.conv_in", in: config.imageChannels, out: channels[0], kernel: 3)
        var levels: [(resnets: [ResnetBlock], downsampler: Conv2DLayer?)] = []
        var input = channels[0]
        for (i, out) in channels.enumerated() {
            let p = "encoder.down_blocks.\(i)"
            let resnets = try (0..<config.layersPerBlock).map { j in
                try ResnetBlock(loader, "\(p).resnets.\(j)", in: j == 0 ? input : out, out: out,
                                timeEmbeddingWidth: nil, groups: config.groups, eps: config.eps)
            }
            // The VAE downsampler pads only right and bottom (diffusers Downsample2D padding=0 + F.pad (0,1,0,1)).
            let down = i == channels.count - 1 ? nil : try Conv2DLayer(
                loader, "\(p).downsamplers.0.conv", in: out, out: out, kernel: 3, stride: 2,
                padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1))
            levels.append((resnets, down))
            input = out
        }
        self.levels = levels
        let last = channels.last!
        mid = try VAEMidBlock(loader, "encoder.mid_block", channels: last, groups: config.groups, eps: config.eps)
        normOut = try GroupNormLayer(loader, "encoder.conv_norm_out", channels: last, groups: config.groups, eps: config.eps)
        convOut = try Conv2DLayer(loader, "encoder.conv_out", in: last, out: 2 * config.latentChannels, kernel: 3)
        quantConv = try Conv2DLayer(loader, "quant_conv", in: 2 * config.latentChannels, out: 2 * config.latentChannels, kernel: 1)
    }

    func callAsFunction(_ image: Tensor) -> Tensor {
        var h = convIn(image)
        for level in levels {
            for resnet in level.resnets { h = resnet(h, activatedTime: nil) }
            if let down = level.downsampler { h = down(h) }
        }
        h = mid(h)
        return quantConv(convOut(normOut(h, silu: true)))
    }
}
