/// The structure of an SD-style VAE (diffusers `AutoencoderKL`) inferred from canonical shapes.
public struct VAEConfig: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var latentChannels: Int
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int

    public init(inChannels: Int, outChannels: Int, latentChannels: Int, blockOutChannels: [Int], layersPerBlock: Int) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.latentChannels = latentChannels
        self.blockOutChannels = blockOutChannels
        self.layersPerBlock = layersPerBlock
    }

    public static func infer(shapes: [String: [Int]], path: String) throws -> VAEConfig {
        func need(_ name: String) throws -> [Int] {
            guard let s = shapes[name], s.count == 4 else {
                throw CheckpointError(path: path, problem: shapes[name] == nil ? "missing tensor '\(name)'" : "shape mismatch: '\(name)' is \(shapes[name]!), expected a 4-D conv weight")
            }
            return s
        }
        let convIn = try need("encoder.conv_in.weight")
        let post = try need("post_quant_conv.weight")
        let convOut = try need("decoder.conv_out.weight")
        var channels: [Int] = []
        while let conv1 = shapes["encoder.down_blocks.\(channels.count).resnets.0.conv1.weight"], conv1.count == 4 { channels.append(conv1[0]) }
        guard !channels.isEmpty else { throw CheckpointError(path: path, problem: "missing tensor 'encoder.down_blocks.0.resnets.0.conv1.weight'") }
        var layers = 0
        while shapes["encoder.down_blocks.0.resnets.\(layers).conv1.weight"] != nil { layers += 1 }
        return VAEConfig(inChannels: convIn[1], outChannels: convOut[0], latentChannels: post[0], blockOutChannels: channels, layersPerBlock: layers)
    }

    public func expectedShapes() -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let c = blockOutChannels
        let last = c[c.count - 1]
        func resnet(_ p: String, _ i: Int, _ o: Int) {
            norm(&s, "\(p).norm1", i)
            conv(&s, "\(p).conv1", out: o, in: i, k: 3)
            norm(&s, "\(p).norm2", o)
            conv(&s, "\(p).conv2", out: o, in: o, k: 3)
            if i != o { conv(&s, "\(p).conv_shortcut", out: o, in: i, k: 1) }
        }
        func mid(_ p: String) {
            resnet("\(p).mid_block.resnets.0", last, last)
            norm(&s, "\(p).mid_block.attentions.0.group_norm", last)
            for q in ["to_q", "to_k", "to_v", "to_out.0"] { linear(&s, "\(p).mid_block.attentions.0.\(q)", out: last, in: last) }
            resnet("\(p).mid_block.resnets.1", last, last)
        }
        conv(&s, "encoder.conv_in", out: c[0], in: inChannels, k: 3)
        for i in 0..<c.count {
            for j in 0..<layersPerBlock {
                resnet("encoder.down_blocks.\(i).resnets.\(j)", j == 0 ? (i == 0 ? c[0] : c[i - 1]) : c[i], c[i])
            }
            if i < c.count - 1 { conv(&s, "encoder.down_blocks.\(i).downsamplers.0.conv", out: c[i], in: c[i], k: 3) }
        }
        mid("encoder")
        norm(&s, "encoder.conv_norm_out", last)
        conv(&s, "encoder.conv_out", out: 2 * latentChannels, in: last, k: 3)
        conv(&s, "quant_conv", out: 2 * latentChannels, in: 2 * latentChannels, k: 1)
        conv(&s, "post_quant_conv", out: latentChannels, in: latentChannels, k: 1)
        conv(&s, "decoder.conv_in", out: last, in: latentChannels, k: 3)
        mid("decoder")
        let reversed = Array(c.reversed())
        for i in 0..<c.count {
            let prev = i == 0 ? reversed[0] : reversed[i - 1]
            for j in 0...layersPerBlock {
                resnet("decoder.up_blocks.\(i).resnets.\(j)", j == 0 ? prev : reversed[i], reversed[i])
            }
            if i < c.count - 1 { conv(&s, "decoder.up_blocks.\(i).upsamplers.0.conv", out: reversed[i], in: reversed[i], k: 3) }
        }
        norm(&s, "decoder.conv_norm_out", c[0])
        conv(&s, "decoder.conv_out", out: outChannels, in: c[0], k: 3)
        return s
    }
}
