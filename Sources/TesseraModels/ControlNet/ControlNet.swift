import Foundation
import TesseraCheckpoint
import TesseraTensor

/// A ControlNet (diffusers `ControlNetModel`): a copy of the UNet encoder fed with a hint image,
/// whose zero-convs produce residuals for the UNet's skips and mid block.
public struct ControlNet: Sendable {
    /// The encoder architecture (same as the UNet it controls).
    public let configuration: UNetConfiguration
    /// Widths of the hint encoder, e.g. 16/32/96/256.
    public let hintChannels: [Int]
    /// Channels of the hint image (3).
    public let hintImageChannels: Int
    /// The weights.
    public let parameters: ParameterStore
    let time: TimeEmbedding
    let convIn: Conv2DLayer
    let hintEmbedding: ControlNetConditioningEmbedding
    let downBlocks: [DownBlock]
    let mid: MidBlock
    let zeroConvs: [Conv2DLayer]
    let midZeroConv: Conv2DLayer

    /// How the residuals are scaled.
    public enum Mode: Sendable, Equatable {
        /// Every residual times `conditioningScale` (diffusers default, A1111 "Balanced").
        case balanced
        /// diffusers guess mode: residual `i` of 13 times `10^(−1 + i/12)`, then the scale.
        case guess
        /// sd-webui-controlnet soft injection ("My prompt is more important" / "ControlNet is more
        /// important"): residual `i` times `0.825^(12 − i)`, then the scale.
        case softInjection
    }

    /// Loads from diffusers-named weights, inferring the configuration unless one is given.
    public init(source: any WeightSource, configuration: UNetConfiguration? = nil) throws {
        let config = try configuration ?? UNetConfiguration.infer(from: source, requireOutput: false)
        var hint: [Int] = []
        let p = "controlnet_cond_embedding"
        let first = try requiredShape(of: "\(p).conv_in.weight", in: source, rank: 4)
        hint.append(first[0])
        while let s = try shape(of: "\(p).blocks.\(2 * hint.count - 1).weight", in: source) { hint.append(s[0]) }
        try self.init(loader: ParameterLoader(source: source), configuration: config, hintImageChannels: first[1], hintChannels: hint)
    }

    /// A ControlNet of `configuration` with seeded random weights (benchmarks); SD1.5 hint widths by default.
    public init(randomWeights configuration: UNetConfiguration, hintChannels: [Int] = [16, 32, 96, 256], seed: UInt64 = 2) throws {
        try self.init(loader: ParameterLoader(randomSeed: seed), configuration: configuration, hintImageChannels: 3, hintChannels: hintChannels)
    }

    init(loader: ParameterLoader, configuration config: UNetConfiguration, hintImageChannels: Int, hintChannels: [Int]) throws {
        configuration = config
        self.hintChannels = hintChannels
        self.hintImageChannels = hintImageChannels
        parameters = loader.store
        let c0 = config.blockOutChannels[0]
        time = try TimeEmbedding(loader, featureWidth: c0, width: config.timeEmbeddingWidth)
        convIn = try Conv2DLayer(loader, "conv_in", in: config.inChannels, out: c0, kernel: 3)
        hintEmbedding = try ControlNetConditioningEmbedding(loader, hintChannels: hintImageChannels, channels: hintChannels, outChannels: c0)
        var blocks: [DownBlock] = []
        var skipChannels = [c0]
        var channels = c0
        for level in 0..<config.blockOutChannels.count {
            let block = try DownBlock(loader, level: level, config: config, inChannels: channels)
            channels = config.blockOutChannels[level]
            skipChannels += Array(repeating: channels, count: block.resnets.count + (block.downsampler == nil ? 0 : 1))
            blocks.append(block)
        }
        downBlocks = blocks
        mid = try MidBlock(loader, config: config)
        zeroConvs = try skipChannels.enumerated().map { i, c in
            try Conv2DLayer(loader, "controlnet_down_blocks.\(i)", in: c, out: c, kernel: 1)
        }
        let last = config.blockOutChannels.last!
        midZeroConv = try Conv2DLayer(loader, "controlnet_mid_block", in: last, out: last, kernel: 1)
    }

    /// Per-residual factors (12 down + mid for SD1.5) for `mode` and `conditioningScale`.
    public func residualScales(mode: Mode, conditioningScale: Float) -> [Float] {
        let n = zeroConvs.count + 1
        switch mode {
        case .balanced:
            return Array(repeating: conditioningScale, count: n)
        case .guess:
            // torch.logspace(-1, 0, n) in float32.
            return (0..<n).map { i in Float(Foundation.pow(10.0, -1.0 + Double(i) / Double(n - 1))) * conditioningScale }
        case .softInjection:
            return (0..<n).map { i in Float(Foundation.pow(0.825, Double(n - 1 - i))) * conditioningScale }
        }
    }

    /// Residuals for `sample` `[N, 4, h, w]`, `hint` `[N, 3, 8h, 8w]` (or `[1, ...]`, shared by the
    /// batch) in [0, 1], one timestep per
    /// sample and text `context`, multiplied by `scales` (`residualScales`; nil = all 1).
    public func callAsFunction(_ sample: Tensor, hint: Tensor, timesteps: [Float], context: Tensor,
                               scales: [Float]? = nil) throws -> ControlResiduals {
        guard sample.rank == 4, sample.shape[1] == configuration.inChannels, timesteps.count == sample.shape[0] else {
            throw ModelError("ControlNet input", "sample \(sample.shape) with \(timesteps.count) timesteps")
        }
        guard context.rank == 3, context.shape[0] == sample.shape[0], context.shape[2] == configuration.crossAttentionDim else {
            throw ModelError("ControlNet input", "context has shape \(context.shape), expected [\(sample.shape[0]), tokens, \(configuration.crossAttentionDim)]")
        }
        guard hint.rank == 4, hint.shape[1] == hintImageChannels, hint.shape[0] == 1 || hint.shape[0] == sample.shape[0],
              hint.shape[2] == 8 * sample.shape[2], hint.shape[3] == 8 * sample.shape[3] else {
            throw ModelError("ControlNet input", "hint \(hint.shape) does not match latent \(sample.shape) (the hint must be [N or 1, \(hintImageChannels), 8h, 8w])")
        }
        var h = convIn(sample)
        var embeddedHint = hintEmbedding(hint)
        // One hint for the whole batch (cond and uncond share it): encoded once, repeated.
        if embeddedHint.shape[0] != h.shape[0] {
            embeddedHint = Tensor.stack(Array(repeating: embeddedHint, count: h.shape[0]))
        }
        guard embeddedHint.shape == h.shape else {
            throw ModelError("ControlNet input", "hint \(hint.shape) does not match latent \(sample.shape) (the hint must be 8x the latent size)")
        }
        h.add(embeddedHint)
        let temb = time.activated(timesteps)
        var skips = [h]
        for block in downBlocks {
            let (out, blockSkips) = block(h, time: temb, context: context)
            h = out
            skips += blockSkips
        }
        h = mid(h, time: temb, context: context)
        let residuals = ControlResiduals(down: zip(zeroConvs, skips).map { $0($1) }, mid: midZeroConv(h))
        guard let scales else { return residuals }
        guard scales.count == zeroConvs.count + 1 else {
            throw ModelError("ControlNet scales", "\(scales.count) scales for \(zeroConvs.count + 1) residuals")
        }
        return residuals.scaled(by: scales)
    }
}
