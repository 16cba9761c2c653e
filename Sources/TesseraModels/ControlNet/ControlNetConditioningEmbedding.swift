import TesseraTensor

/// The ControlNet hint encoder (diffusers `ControlNetConditioningEmbedding`): a small conv stack
/// that brings the hint image `[N, 3, 8h, 8w]` down to the latent size and the UNet's first width.
struct ControlNetConditioningEmbedding: Sendable {
    let convIn: Conv2DLayer
    let blocks: [Conv2DLayer]
    let convOut: Conv2DLayer

    init(_ loader: ParameterLoader, hintChannels: Int, channels: [Int], outChannels: Int) throws {
        let p = "controlnet_cond_embedding"
        convIn = try Conv2DLayer(loader, "\(p).conv_in", in: hintChannels, out: channels[0], kernel: 3)
        var blocks: [Conv2DLayer] = []
        for i in 0..<(channels.count - 1) {
            blocks.append(try Conv2DLayer(loader, "\(p).blocks.\(2 * i)", in: channels[i], out: channels[i], kernel: 3))
            blocks.append(try Conv2DLayer(loader, "\(p).blocks.\(2 * i + 1)", in: channels[i], out: channels[i + 1], kernel: 3, stride: 2))
        }
        self.blocks = blocks
        convOut = try Conv2DLayer(loader, "\(p).conv_out", in: channels.last!, out: outChannels, kernel: 3)
    }

    func callAsFunction(_ hint: Tensor) -> Tensor {
        var h = convIn(hint)
        h.apply(.silu)
        for block in blocks {
            h = block(h)
            h.apply(.silu)
        }
        return convOut(h)
    }
}
