import Foundation

/// The sigma table A1111's "LCM" sampler uses (`LCMCompVisDenoiser`): the model's schedule
/// thinned to the 50 timesteps LCM models are distilled on (19, 39, …, 999), integer timesteps
/// only (`sigma_to_t` = nearest table entry in ln σ, times 20, plus 19).
public struct LCMSchedule: Sendable, Equatable {
    /// LCM's distillation grid size (A1111: "LCM Original Timesteps", 50).
    public static let originalSteps = 50
    /// Training timesteps between grid entries (1000 / 50 = 20).
    public let skipSteps: Int
    /// The thinned table (ascending σ; entry i is training step 19 + 20·i).
    public let table: DiscreteNoiseSchedule

    /// The LCM view of a model schedule.
    public init(_ schedule: DiscreteNoiseSchedule = .stableDiffusion) throws {
        let total = schedule.alphasCumprod.count
        guard total >= Self.originalSteps, total % Self.originalSteps == 0 else {
            throw SamplingError.invalidParameter(name: "LCM schedule", problem: "needs a multiple of \(Self.originalSteps) training steps, got \(total)")
        }
        let skip = total / Self.originalSteps
        skipSteps = skip
        let valid = (0..<Self.originalSteps).map { i in
            schedule.alphasCumprod[total - 1 - (Self.originalSteps - 1 - i) * skip]
        }
        table = try DiscreteNoiseSchedule(alphasCumprod: valid)
    }

    /// The integer UNet timestep LCM evaluates at `sigma`.
    public func timestep(forSigma sigma: Float) -> Float {
        table.timestep(forSigma: sigma, quantize: true) * Float(skipSteps) + Float(skipSteps - 1)
    }

    /// σ at a (fractional) training timestep, through the thinned table.
    public func sigma(forTimestep timestep: Float) -> Float {
        let index = (timestep - Float(skipSteps - 1)) / Float(skipSteps)
        return table.sigma(forTimestep: min(max(index, 0), Float(Self.originalSteps - 1)))
    }

    /// LCM's own spacing (A1111 "Automatic"/"Uniform" with LCM): timesteps evenly between the
    /// table's ends, mapped back to σ, plus a final 0.
    public func sigmas(steps: Int) throws -> [Float] {
        guard steps >= 1 else { throw SamplingError.invalidParameter(name: "steps", problem: "must be at least 1, got \(steps)") }
        let start = timestep(forSigma: table.sigmaMax), end = timestep(forSigma: table.sigmaMin)
        return DiscreteNoiseSchedule.linspaceFloat(start: start, end: end, count: steps).map(sigma(forTimestep:)) + [0]
    }
}
