import TesseraCheckpoint

/// Architecture of an `AutoencoderKL` (SD VAE), inferred from tensor shapes.
public struct VAEConfiguration: Sendable, Equatable {
    /// Image channels (3).
    public var imageChannels: Int
    /// Latent channels (4).
    public var latentChannels: Int
    /// Encoder level widths, e.g. 128/256/512/512; the decoder mirrors them.
    public var blockOutChannels: [Int]
    /// ResNet blocks per encoder level (the decoder has one more).
    public var layersPerBlock: Int
    /// GroupNorm groups.
    public var groups: Int = 32
    /// GroupNorm epsilon.
    public var eps: Float = 1e-6

    public init(imageChannels: Int = 3, latentChannels: Int = 4, blockOutChannels: [Int], layersPerBlock: Int = 2) {
        self.imageChannels = imageChannels
        self.latentChannels = latentChannels
        self.blockOutChannels = blockOutChannels
        self.layersPerBlock = layersPerBlock
    }

    /// The SD1.5 VAE.
    public static let sd15 = VAEConfiguration(blockOutChannels: [128, 256, 512, 512])

    /// Reads widths and depth from `encoder.*` / `decoder.*` shapes.
    public static func infer(from source: any WeightSource) throws -> VAEConfiguration {
        let convIn = try requiredShape(of: "encoder.conv_in.weight", in: source, rank: 4)
        var channels: [Int] = []
        while let s = try shape(of: "encoder.down_blocks.\(channels.count).resnets.0.conv1.weight", in: source) {
            channels.append(s[0])
        }
        guard !channels.isEmpty else { throw ModelError(source.path, "no encoder.down_blocks.0.resnets.0.conv1.weight: not a diffusers VAE") }
        var layers = 0
        while source.contains("encoder.down_blocks.0.resnets.\(layers).conv1.weight") { layers += 1 }
        let postQuant = try requiredShape(of: "post_quant_conv.weight", in: source, rank: 4)
        return VAEConfiguration(imageChannels: convIn[1], latentChannels: postQuant[0], blockOutChannels: channels, layersPerBlock: layers)
    }
}
