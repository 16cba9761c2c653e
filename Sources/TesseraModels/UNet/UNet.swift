import TesseraCheckpoint
import TesseraTensor

/// Stable Diffusion 1.x noise predictor (diffusers `UNet2DConditionModel`): predicts ε for a
/// batch of latents at float timesteps given text embeddings, optionally with ControlNet residuals.
public struct UNet: Sendable {
    /// The architecture.
    public let configuration: UNetConfiguration
    /// The weights; LoRA merging works on it.
    public let parameters: ParameterStore
    let time: TimeEmbedding
    let convIn: Conv2DLayer
    let downBlocks: [DownBlock]
    let mid: MidBlock
    let upBlocks: [UpBlock]
    let normOut: GroupNormLayer
    let convOut: Conv2DLayer

    /// Loads from diffusers-named weights, inferring the configuration unless one is given.
    public init(source: any WeightSource, configuration: UNetConfiguration? = nil) throws {
        let config = try configuration ?? UNetConfiguration.infer(from: source)
        try self.init(loader: ParameterLoader(source: source), configuration: config)
    }

    /// A UNet of `configuration` with seeded random weights (benchmarks).
    public init(randomWeights configuration: UNetConfiguration, seed: UInt64 = 1) throws {
        try self.init(loader: ParameterLoader(randomSeed: seed), configuration: configuration)
    }

    init(loader: ParameterLoader, configuration config: UNetConfiguration) throws {
        configuration = config
        parameters = loader.store
        let c0 = config.blockOutChannels[0]
        time = try TimeEmbedding(loader, featureWidth: c0, width: config.timeEmbeddingWidth)
        convIn = try Conv2DLayer(loader, "conv_in", in: config.inChannels, out: c0, kernel: 3)
        var blocks: [DownBlock] = []
        var channels = c0
        for level in 0..<config.blockOutChannels.count {
            blocks.append(try DownBlock(loader, level: level, config: config, inChannels: channels))
            channels = config.blockOutChannels[level]
        }
        downBlocks = blocks
        mid = try MidBlock(loader, config: config)
        upBlocks = try (0..<config.blockOutChannels.count).map { try UpBlock(loader, index: $0, config: config) }
        normOut = try GroupNormLayer(loader, "conv_norm_out", channels: c0, groups: config.groups, eps: config.eps)
        convOut = try Conv2DLayer(loader, "conv_out", in: c0, out: config.outChannels, kernel: 3)
    }

    /// Number of skip connections (= ControlNet down residuals), 12 for SD1.5.
    public var skipCount: Int { downBlocks.reduce(1) { $0 + $1.resnets.count + ($1.downsampler == nil ? 0 : 1) } }

    /// ε prediction `[N, out, H, W]` for `sample` `[N, in, H, W]`, one timestep per sample and
    /// `context` `[N, S, crossAttentionDim]`. `control` residuals are added to the skips and the mid block.
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], context: Tensor, control: ControlResiduals? = nil) throws -> Tensor {
        try validate(sample: sample, timesteps: timesteps, context: context)
        if let control {
            guard control.down.count == skipCount else {
                throw ModelError("ControlNet residuals", "\(control.down.count) down residuals for a UNet with \(skipCount) skips")
            }
        }
        let temb = time.activated(timesteps)
        var h = convIn(sample)
        var skips = [h]
        for block in downBlocks {
            let (out, blockSkips) = block(h, time: temb, context: context)
            h = out
            skips += blockSkips
        }
        if let control {
            for i in skips.indices {
                guard skips[i].shape == control.down[i].shape else {
                    throw ModelError("ControlNet residuals", "down residual \(i) has shape \(control.down[i].shape), the UNet skip is \(skips[i].shape)")
                }
                skips[i].add(control.down[i])
            }
        }
        h = mid(h, time: temb, context: context)
        if let control {
            guard control.mid.shape == h.shape else {
                throw ModelError("ControlNet residuals", "mid residual has shape \(control.mid.shape), the UNet mid block is \(h.shape)")
            }
            h.add(control.mid)
        }
        for block in upBlocks {
            let used = Array(skips.suffix(block.skipCount).reversed())
            skips.removeLast(block.skipCount)
            h = block(h, skips: used, time: temb, context: context, upsampleTo: skips.last.map { ($0.shape[2], $0.shape[3]) })
        }
        return convOut(normOut(h, silu: true))
    }

    func validate(sample: Tensor, timesteps: [Float], context: Tensor) throws {
        guard sample.rank == 4, sample.shape[1] == configuration.inChannels else {
            throw ModelError("UNet input", "sample has shape \(sample.shape), expected [N, \(configuration.inChannels), H, W]")
        }
        guard timesteps.count == sample.shape[0] else {
            throw ModelError("UNet input", "\(timesteps.count) timesteps for a batch of \(sample.shape[0])")
        }
        guard context.rank == 3, context.shape[0] == sample.shape[0], context.shape[2] == configuration.crossAttentionDim else {
            throw ModelError("UNet input", "context has shape \(context.shape), expected [\(sample.shape[0]), tokens, \(configuration.crossAttentionDim)]")
        }
    }
}
