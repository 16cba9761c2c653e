/// The bits of A1111's shared `state` that model calls depend on, updated by the sampler
/// callback and read by the model wrapper of one job (single-threaded within a job).
public final class SamplingProgressTracker: @unchecked Sendable {
    /// `state.sampling_step`: the index last reported by the sampler callback (0 before the first).
    public internal(set) var samplingStep = 0
    /// `total_sampling_steps`: steps actually launched (`t_enc + 1` in img2img).
    public let totalSteps: Int
    /// Model calls so far (A1111's `CFGDenoiser.step`, which drives prompt editing).
    public internal(set) var modelCalls = 0
    /// For each ControlNet unit, the model-call indices at which it ran.
    public internal(set) var controlNetCalls: [[Int]]

    public init(totalSteps: Int, controlUnits: Int = 0) {
        self.totalSteps = totalSteps
        controlNetCalls = Array(repeating: [], count: controlUnits)
    }

    /// `sampling_step / total_sampling_steps`, the extension's guidance-window progress.
    public var progressFraction: Float { Float(samplingStep) / Float(max(totalSteps, 1)) }
}
