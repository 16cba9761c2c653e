/// The structure of an SD1.x ControlNet (diffusers `ControlNetModel`): the UNet encoder copy
/// plus the hint encoder and zero convs.
public struct ControlNetConfig: Sendable, Equatable {
    /// The encoder copy (its up-path fields are unused).
    public var unet: UNetConfig
    /// Hint image channels (3).
    public var conditioningChannels: Int
    /// Output channels of the hint encoder's stages (SD1.x: 16, 32, 96, 256).
    public var conditioningEmbeddingChannels: [Int]

    public init(unet: UNetConfig, conditioningChannels: Int, conditioningEmbeddingChannels: [Int]) {
        self.unet = unet
        self.conditioningChannels = conditioningChannels
        self.conditioningEmbeddingChannels = conditioningEmbeddingChannels
    }

    public static func infer(shapes: [String: [Int]], path: String) throws -> ControlNetConfig {
        let unet = try UNetConfig.infer(shapes: shapes, path: path)
        guard let hintIn = shapes["controlnet_cond_embedding.conv_in.weight"], hintIn.count == 4 else {
            throw CheckpointError(path: path, problem: "missing tensor 'controlnet_cond_embedding.conv_in.weight'")
        }
        var embedding = [hintIn[0]]
        var b = 1
        while let block = shapes["controlnet_cond_embedding.blocks.\(b).weight"] {
            embedding.append(block[0])
            b += 2
        }
        return ControlNetConfig(unet: unet, conditioningChannels: hintIn[1], conditioningEmbeddingChannels: embedding)
    }

    public func expectedShapes() -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let c = unet.blockOutChannels
        conv(&s, "conv_in", out: c[0], in: unet.inChannels, k: 3)
        linear(&s, "time_embedding.linear_1", out: unet.timeEmbedDim, in: c[0])
        linear(&s, "time_embedding.linear_2", out: unet.timeEmbedDim, in: unet.timeEmbedDim)
        unet.encoderShapes(&s)
        let e = conditioningEmbeddingChannels
        conv(&s, "controlnet_cond_embedding.conv_in", out: e[0], in: conditioningChannels, k: 3)
        for i in 0..<(e.count - 1) {
            conv(&s, "controlnet_cond_embedding.blocks.\(2 * i)", out: e[i], in: e[i], k: 3)
            conv(&s, "controlnet_cond_embedding.blocks.\(2 * i + 1)", out: e[i + 1], in: e[i], k: 3)
        }
        conv(&s, "controlnet_cond_embedding.conv_out", out: c[0], in: e[e.count - 1], k: 3)
        // One zero conv per down-path output: conv_in, each resnet(+attention), each downsampler.
        var outputs = [c[0]]
        for i in 0..<c.count {
            outputs += Array(repeating: c[i], count: unet.layersPerBlock)
            if i < c.count - 1 { outputs.append(c[i]) }
        }
        for (k, ch) in outputs.enumerated() { conv(&s, "controlnet_down_blocks.\(k)", out: ch, in: ch, k: 1) }
        conv(&s, "controlnet_mid_block", out: c[c.count - 1], in: c[c.count - 1], k: 1)
        return s
    }
}
