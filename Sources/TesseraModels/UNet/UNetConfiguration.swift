import TesseraCheckpoint

/// Architecture of an SD1.x-style `UNet2DConditionModel` (also the ControlNet's encoder half).
///
/// Widths, depth, which levels attend and the text width come from tensor shapes; the head
/// count cannot (diffusers' `attention_head_dim` is, for SD1.5, the number of heads: 8) and comes
/// from `config.json` when one is given.
public struct UNetConfiguration: Sendable, Equatable {
    /// Latent channels in (4).
    public var inChannels: Int
    /// Channels predicted (4).
    public var outChannels: Int
    /// Output channels of each down level, e.g. 320/640/1280/1280.
    public var blockOutChannels: [Int]
    /// ResNet blocks per down level (the up path has one more).
    public var layersPerBlock: Int
    /// Whether down level `i` has transformers (CrossAttnDownBlock2D); the up path mirrors it.
    public var attentionLevels: [Bool]
    /// Attention heads per level.
    public var heads: [Int]
    /// Width of the text embeddings (768).
    public var crossAttentionDim: Int
    /// Transformer blocks per Transformer2D (1).
    public var transformerLayers: Int
    /// `use_linear_projection`: linear rather than 1×1-conv proj_in/proj_out (SD2).
    public var linearProjection: Bool
    /// GroupNorm groups.
    public var groups: Int = 32
    /// GroupNorm epsilon of the ResNet blocks.
    public var eps: Float = 1e-5

    public init(inChannels: Int, outChannels: Int, blockOutChannels: [Int], layersPerBlock: Int,
                attentionLevels: [Bool], heads: [Int], crossAttentionDim: Int, transformerLayers: Int = 1,
                linearProjection: Bool = false) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.blockOutChannels = blockOutChannels
        self.layersPerBlock = layersPerBlock
        self.attentionLevels = attentionLevels
        self.heads = heads
        self.crossAttentionDim = crossAttentionDim
        self.transformerLayers = transformerLayers
        self.linearProjection = linearProjection
    }

    /// Stable Diffusion 1.5.
    public static let sd15 = UNetConfiguration(
        inChannels: 4, outChannels: 4, blockOutChannels: [320, 640, 1280, 1280], layersPerBlock: 2,
        attentionLevels: [true, true, true, false], heads: [8, 8, 8, 8], crossAttentionDim: 768)

    /// Time embedding width (4× the first level).
    public var timeEmbeddingWidth: Int { 4 * blockOutChannels[0] }

    /// Infers the configuration from the tensor shapes of `source` (diffusers names). `config`
    /// overrides the head count (`attention_head_dim` / `num_attention_heads`); without it, 8.
    /// `requireOutput` false for ControlNets, which have no `conv_out`.
    public static func infer(from source: any WeightSource, config: ConfigFile? = nil, requireOutput: Bool = true) throws -> UNetConfiguration {
        let convIn = try requiredShape(of: "conv_in.weight", in: source, rank: 4)
        var channels: [Int] = []
        while let s = try shape(of: "down_blocks.\(channels.count).resnets.0.conv1.weight", in: source) {
            channels.append(s[0])
        }
        guard !channels.isEmpty else { throw ModelError(source.path, "no down_blocks.0.resnets.0.conv1.weight: not a diffusers UNet") }
        var layers = 0
        while source.contains("down_blocks.0.resnets.\(layers).conv1.weight") { layers += 1 }
        let attention = (0..<channels.count).map { source.contains("down_blocks.\($0).attentions.0.proj_in.weight") }
        var crossDim = 768
        var transformerLayers = 1
        var linearProjection = false
        if let level = attention.firstIndex(of: true) {
            let p = "down_blocks.\(level).attentions.0"
            crossDim = try requiredShape(of: "\(p).transformer_blocks.0.attn2.to_k.weight", in: source, rank: 2)[1]
            transformerLayers = 0
            while source.contains("\(p).transformer_blocks.\(transformerLayers).attn1.to_q.weight") { transformerLayers += 1 }
            linearProjection = try shape(of: "\(p).proj_in.weight", in: source)?.count == 2
        }
        var heads = Array(repeating: 8, count: channels.count)
        if let config {
            if let n = try config.ints("num_attention_heads") ?? config.ints("attention_head_dim") {
                heads = n.count == 1 ? Array(repeating: n[0], count: channels.count) : n
            }
            guard heads.count == channels.count else {
                throw ModelError(config.path, "attention_head_dim lists \(heads.count) levels but the weights have \(channels.count)")
            }
        }
        let outChannels = requireOutput ? try requiredShape(of: "conv_out.weight", in: source, rank: 4)[0] : convIn[1]
        return UNetConfiguration(inChannels: convIn[1], outChannels: outChannels, blockOutChannels: channels,
                                 layersPerBlock: layers, attentionLevels: attention, heads: heads,
                                 crossAttentionDim: crossDim, transformerLayers: transformerLayers,
                                 linearProjection: linearProjection)
    }
}
