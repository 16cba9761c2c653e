/// The structure of an SD1.x-style UNet (diffusers `UNet2DConditionModel`), inferred from the
/// shapes of its canonical tensors. Head count is not stored in the weights (SD1.x uses 8).
public struct UNetConfig: Sendable, Equatable {
    /// 4 for text-to-image, 9 for inpainting models (latent + mask + masked-image latent).
    public var inChannels: Int
    public var outChannels: Int
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int
    /// Whether down level i has cross-attention transformers (up levels mirror it).
    public var attentionLevels: [Bool]
    public var transformerDepth: Int
    public var crossAttentionDim: Int
    public var timeEmbedDim: Int
    /// proj_in/proj_out as linears (SD2 style) instead of 1×1 convs.
    public var useLinearProjection: Bool

    /// Whether this is an inpainting UNet.
    public var isInpainting: Bool { inChannels == 9 }

    /// Infers the configuration from canonical names and shapes (a UNet or a ControlNet).
    public init(inChannels: Int, outChannels: Int, blockOutChannels: [Int], layersPerBlock: Int, attentionLevels: [Bool], transformerDepth: Int, crossAttentionDim: Int, timeEmbedDim: Int, useLinearProjection: Bool) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.blockOutChannels = blockOutChannels
        self.layersPerBlock = layersPerBlock
        self.attentionLevels = attentionLevels
        self.transformerDepth = transformerDepth
        self.crossAttentionDim = crossAttentionDim
        self.timeEmbedDim = timeEmbedDim
        self.useLinearProjection = useLinearProjection
    }

    public static func infer(shapes: [String: [Int]], path: String) throws -> UNetConfig {
        func need(_ name: String, rank: Int) throws -> [Int] {
            guard let s = shapes[name] else { throw CheckpointError(path: path, problem: "missing tensor '\(name)'") }
            guard s.count == rank else {
                throw CheckpointError(path: path, problem: "shape mismatch: '\(name)' is \(s), expected a \(rank)-D tensor")
            }
            return s
        }
        let convIn = try need("conv_in.weight", rank: 4)
        let time = try need("time_embedding.linear_1.weight", rank: 2)
        var channels: [Int] = []
        var attention: [Bool] = []
        while let conv1 = shapes["down_blocks.\(channels.count).resnets.0.conv1.weight"], conv1.count == 4 {
            attention.append(shapes["down_blocks.\(channels.count).attentions.0.norm.weight"] != nil)
            channels.append(conv1[0])
        }
        guard !channels.isEmpty else { throw CheckpointError(path: path, problem: "missing tensor 'down_blocks.0.resnets.0.conv1.weight'") }
        var layers = 0
        while shapes["down_blocks.0.resnets.\(layers).conv1.weight"] != nil { layers += 1 }
        var depth = 0
        var crossDim = 0
        var linear = false
        if let level = attention.firstIndex(of: true) {
            let prefix = "down_blocks.\(level).attentions.0."
            while shapes["\(prefix)transformer_blocks.\(depth).norm1.weight"] != nil { depth += 1 }
            crossDim = try need("\(prefix)transformer_blocks.0.attn2.to_k.weight", rank: 2)[1]
            linear = shapes["\(prefix)proj_in.weight"]?.count == 2
        }
        let out = shapes["conv_out.weight"]?.first ?? convIn[1]
        return UNetConfig(inChannels: convIn[1], outChannels: out, blockOutChannels: channels, layersPerBlock: layers,
                          attentionLevels: attention, transformerDepth: depth, crossAttentionDim: crossDim,
                          timeEmbedDim: time[0], useLinearProjection: linear)
    }

    /// Every canonical tensor a UNet with this configuration has, with its shape.
    public func expectedShapes() -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let c = blockOutChannels
        let levels = c.count
        conv(&s, "conv_in", out: c[0], in: inChannels, k: 3)
        linear(&s, "time_embedding.linear_1", out: timeEmbedDim, in: c[0])
        linear(&s, "time_embedding.linear_2", out: timeEmbedDim, in: timeEmbedDim)
        encoderShapes(&s)
        let reversed = Array(c.reversed())
        var output = reversed[0]
        for i in 0..<levels {
            let prev = output
            output = reversed[i]
            let input = reversed[min(i + 1, levels - 1)]
            for j in 0...layersPerBlock {
                let skip = j == layersPerBlock ? input : output
                let resIn = j == 0 ? prev : output
                resnet(&s, "up_blocks.\(i).resnets.\(j)", in: resIn + skip, out: output)
                if attentionLevels[levels - 1 - i] { transformer(&s, "up_blocks.\(i).attentions.\(j)", channels: output) }
            }
            if i < levels - 1 { conv(&s, "up_blocks.\(i).upsamplers.0.conv", out: output, in: output, k: 3) }
        }
        norm(&s, "conv_norm_out", c[0])
        conv(&s, "conv_out", out: outChannels, in: c[0], k: 3)
        return s
    }

    /// The down path and middle block, shared with the ControlNet encoder copy.
    func encoderShapes(_ s: inout [String: [Int]]) {
        let c = blockOutChannels
        for i in 0..<c.count {
            for j in 0..<layersPerBlock {
                resnet(&s, "down_blocks.\(i).resnets.\(j)", in: j == 0 ? (i == 0 ? c[0] : c[i - 1]) : c[i], out: c[i])
                if attentionLevels[i] { transformer(&s, "down_blocks.\(i).attentions.\(j)", channels: c[i]) }
            }
            if i < c.count - 1 { conv(&s, "down_blocks.\(i).downsamplers.0.conv", out: c[i], in: c[i], k: 3) }
        }
        let last = c[c.count - 1]
        resnet(&s, "mid_block.resnets.0", in: last, out: last)
        transformer(&s, "mid_block.attentions.0", channels: last)
        resnet(&s, "mid_block.resnets.1", in: last, out: last)
    }

    func resnet(_ s: inout [String: [Int]], _ p: String, in i: Int, out o: Int) {
        norm(&s, "\(p).norm1", i)
        conv(&s, "\(p).conv1", out: o, in: i, k: 3)
        linear(&s, "\(p).time_emb_proj", out: o, in: timeEmbedDim)
        norm(&s, "\(p).norm2", o)
        conv(&s, "\(p).conv2", out: o, in: o, k: 3)
        if i != o { conv(&s, "\(p).conv_shortcut", out: o, in: i, k: 1) }
    }

    func transformer(_ s: inout [String: [Int]], _ p: String, channels ch: Int) {
        norm(&s, "\(p).norm", ch)
        if useLinearProjection {
            linear(&s, "\(p).proj_in", out: ch, in: ch)
            linear(&s, "\(p).proj_out", out: ch, in: ch)
        } else {
            conv(&s, "\(p).proj_in", out: ch, in: ch, k: 1)
            conv(&s, "\(p).proj_out", out: ch, in: ch, k: 1)
        }
        for b in 0..<transformerDepth {
            let t = "\(p).transformer_blocks.\(b)"
            for n in ["norm1", "norm2", "norm3"] { norm(&s, "\(t).\(n)", ch) }
            for (attn, context) in [("attn1", ch), ("attn2", crossAttentionDim)] {
                s["\(t).\(attn).to_q.weight"] = [ch, ch]
                s["\(t).\(attn).to_k.weight"] = [ch, context]
                s["\(t).\(attn).to_v.weight"] = [ch, context]
                linear(&s, "\(t).\(attn).to_out.0", out: ch, in: ch)
            }
            // GEGLU: the projection yields value and gate halves of 4·C each.
            linear(&s, "\(t).ff.net.0.proj", out: ch * 8, in: ch)
            linear(&s, "\(t).ff.net.2", out: ch, in: ch * 4)
        }
    }
}

/// Shape helpers shared by the expected-shape generators.
func conv(_ s: inout [String: [Int]], _ p: String, out: Int, in i: Int, k: Int) {
    s["\(p).weight"] = [out, i, k, k]
    s["\(p).bias"] = [out]
}

func linear(_ s: inout [String: [Int]], _ p: String, out: Int, in i: Int) {
    s["\(p).weight"] = [out, i]
    s["\(p).bias"] = [out]
}

func norm(_ s: inout [String: [Int]], _ p: String, _ ch: Int) {
    s["\(p).weight"] = [ch]
    s["\(p).bias"] = [ch]
}
