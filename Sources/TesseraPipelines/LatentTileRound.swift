import TesseraTensor

/// One model call of a tiled-diffusion run: every tile's crop of the current latent, evaluated at one sigma.
/// `call` and `samplingStep` are the job-wide counters A1111's model wrapper reads (prompt editing follows the
/// call index, the ControlNet guidance window the sampling step), so a tile evaluated anywhere sees the same state.
public struct LatentTileRound: Sendable, Equatable {
    /// What the tiles of a round compute.
    public enum Kind: Sendable, Equatable {
        /// A sampler's model call: CFG-combined eps with the job's ControlNets.
        case sampling
        /// A noise inversion step (spec §7.4): the crops are already scaled by c_in and evaluated at `timestep`
        /// with the positive prompt alone — no CFG, no ControlNet. `call` counts the inversion steps from 0.
        case inversion
    }

    public var kind: Kind
    /// Model-call index (A1111's `CFGDenoiser.step`), from 0; the inversion step for `.inversion` rounds.
    public var call: Int
    /// `state.sampling_step` at the time of the call.
    public var samplingStep: Int
    public var sigma: Float
    /// Set for a timestep sampler's call (DDIM, PLMS): the model timestep, with the crops passed unscaled; nil for
    /// k-diffusion calls, which are defined by `sigma`.
    public var timestep: Float?
    /// `[1, C, th, tw]` per tile, grid order.
    public var crops: [Tensor]

    public init(kind: Kind = .sampling, call: Int, samplingStep: Int, sigma: Float, timestep: Float? = nil, crops: [Tensor]) {
        self.kind = kind
        self.call = call
        self.samplingStep = samplingStep
        self.sigma = sigma
        self.timestep = timestep
        self.crops = crops
    }
}

/// Computes the eps of every tile of a round (in-process, or by workers of a cluster): CFG-combined for sampling
/// rounds, the positive prompt's for inversion rounds.
public protocol LatentTileEvaluator {
    /// One eps `[1, C, th, tw]` per crop of `round`, in grid order.
    func evaluate(_ round: LatentTileRound) throws -> [Tensor]
}

extension LatentTileRound {
    /// The timestep of an inversion round, which always carries one.
    public func inversionTimestep() throws -> Float {
        guard let timestep else { throw PipelineError("noise inversion", "inversion round \(call) has no timestep") }
        return timestep
    }
}
