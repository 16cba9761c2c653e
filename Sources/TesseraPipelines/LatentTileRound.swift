import TesseraTensor

/// One model call of a tiled-diffusion run: every tile's crop of the current latent, evaluated at one sigma.
/// `call` and `samplingStep` are the job-wide counters A1111's model wrapper reads (prompt editing follows the
/// call index, the ControlNet guidance window the sampling step), so a tile evaluated anywhere sees the same state.
public struct LatentTileRound: Sendable, Equatable {
    /// Model-call index (A1111's `CFGDenoiser.step`), from 0.
    public var call: Int
    /// `state.sampling_step` at the time of the call.
    public var samplingStep: Int
    public var sigma: Float
    /// `[1, C, th, tw]` per tile, grid order.
    public var crops: [Tensor]

    public init(call: Int, samplingStep: Int, sigma: Float, crops: [Tensor]) {
        self.call = call
        self.samplingStep = samplingStep
        self.sigma = sigma
        self.crops = crops
    }
}

/// Computes the CFG-combined eps of every tile of a round (in-process, or by workers of a cluster).
public protocol LatentTileEvaluator {
    /// One eps `[1, C, th, tw]` per crop of `round`, in grid order.
    func evaluate(_ round: LatentTileRound) throws -> [Tensor]
}
