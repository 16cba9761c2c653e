import TesseraTensor

/// `post_quant_conv` plus the VAE decoder: latent `[N, latent, h, w]` → image `[N, 3, 8h, 8w]`.
struct VAEDecoder: Sendable {
    let postQuantConv: Conv2DLayer
    let convIn: Conv2DLayer
    let mid: VAEMidBlock
    let levels: [(resnets: [ResnetBlock], upsampler: Conv2DLayer?)]
    let normOut: GroupNormLayer
    let convOut: Conv2DLayer

    init(_ loader: ParameterLoader, config: VAEConfiguration) throws {
        let reversed = Array(config.blockOutChannels.reversed())
        let l = config.latentChannels
        postQuantConv = try Conv2DLayer(loader, "post_quant_conv", in: l, out: l, kernel: 1)
        convIn = try Conv2DLayer(loader, "decoder.conv_in", in: l, out: reversed[0], kernel: 3)
        mid = try VAEMidBlock(loader, "decoder.mid_block", channels: reversed[0], groups: config.groups, eps: config.eps)
        var levels: [(resnets: [ResnetBlock], upsampler: Conv2DLayer?)] = []
        var previous = reversed[0]
        for (i, out) in reversed.enumerated() {
            let p = "decoder.up_blocks.\(i)"
            let resnets = try (0...config.layersPerBlock).map { j in
                try ResnetBlock(loader, "\(p).resnets.\(j)", in: j == 0 ? previous : out, out: out,
                                timeEmbeddingWidth: nil, groups: config.groups, eps: config.eps)
            }
            let up = i == reversed.count - 1 ? nil : try Conv2DLayer(loader, "\(p).upsamplers.0.conv", in: out, out: out, kernel: 3)
            levels.append((resnets, up))
            previous = out
        }
        self.levels = levels
        normOut = try GroupNormLayer(loader, "decoder.conv_norm_out", channels: reversed.last!, groups: config.groups, eps: config.eps)
        convOut = try Conv2DLayer(loader, "decoder.conv_out", in: reversed.last!, out: config.imageChannels, kernel: 3)
    }

    func callAsFunction(_ latent: Tensor) -> Tensor {
        var h = mid(convIn(postQuantConv(latent)))
        for level in levels {
            for resnet in level.resnets { h = resnet(h, activatedTime: nil) }
            if let up = level.upsampler { h = up(h.upsampledNearest2x()) }
        }
        return convOut(normOut(h, silu: true))
    }
}
