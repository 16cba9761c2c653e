import Foundation
import TesseraTensor

/// "DPM adaptive": k-diffusion `sample_dpm_adaptive` (DPM-Solver-23 with an embedded
/// second-order estimate and a PID step-size controller). The number of model calls depends
/// on the model; the `steps` setting only matters through the schedule ends it is given.
/// A1111 runs it with eta = 1 (`eta_ancestral`): each accepted step adds image-stream noise.
///
/// Defaults are k-diffusion's (order 3, rtol 0.05, atol 0.0078, h_init 0.05, I-controller,
/// accept safety 0.81), which A1111 does not change.
public struct DPMAdaptiveSampler: KDiffusionSampler {
    /// Noise amount (A1111 `eta_ancestral`, default 1).
    public var eta: Float
    /// Noise multiplier (`s_noise`).
    public var noiseScale: Float
    /// The σ range to integrate over; nil takes it from the schedule passed to `sample`.
    public var range: DPMSolverRange?
    /// 2 or 3.
    public var order: Int = 3
    /// Relative tolerance.
    public var relativeTolerance: Float = 0.05
    /// Absolute tolerance.
    public var absoluteTolerance: Float = 0.0078
    /// Initial step in t.
    public var initialStep: Double = 0.05
    /// PID coefficients (k-diffusion's defaults: a pure I-controller).
    public var pCoefficient: Double = 0, iCoefficient: Double = 1, dCoefficient: Double = 0
    /// Steps whose controller factor falls below this are rejected and retried.
    public var acceptSafety: Double = 0.81
    /// Guard against runaway step rejection (k-diffusion has none; a step size collapsing to
    /// zero would otherwise loop forever).
    public var maximumAttempts: Int = 10_000

    /// A DPM adaptive sampler with A1111's defaults unless overridden.
    public init(eta: Float = 1, noiseScale: Float = 1, range: DPMSolverRange? = nil) {
        self.eta = eta
        self.noiseScale = noiseScale
        self.range = range
    }

    public func sample<D: Denoiser, N: NoiseSampler>(_ x: Tensor, sigmas: [Float], denoiser: D,
                                                      noise: inout N, progress: SamplerProgress?) throws -> Tensor {
        try checkSchedule(sigmas)
        guard order == 2 || order == 3 else {
            throw SamplingError.invalidParameter(name: "DPM adaptive order", problem: "should be 2 or 3, got \(order)")
        }
        let r = try (range ?? DPMSolverRange(schedule: sigmas)).checked()
        let tStart = DPMSolverSteps<D>.time(r.sigmaMax), tEnd = DPMSolverSteps<D>.time(r.sigmaMin)
        let forward = tEnd > tStart
        guard forward || eta == 0 else {
            throw SamplingError.invalidParameter(name: "eta", problem: "must be 0 for reverse sampling")
        }
        var controller = StepSizeController(h: abs(initialStep) * (forward ? 1 : -1), p: pCoefficient, i: iCoefficient,
                                            d: dCoefficient, order: eta != 0 ? 1.5 : Double(order), acceptSafety: acceptSafety)
        var solver = DPMSolverSteps(denoiser: denoiser)
        var x = x, previous = x
        var s = tStart
        var attempts = 0
        let stop = forward ? tEnd - Float(1e-5) : tEnd + Float(1e-5)
        let rootCount = Float(Double(x.count).squareRoot())
        while forward ? s < stop : s > stop {
            guard attempts < maximumAttempts else {
                throw SamplingError.invalidParameter(name: "DPM adaptive", problem: "no progress after \(attempts) attempts (step size collapsed)")
            }
            var cache = DPMSolverSteps<D>.Cache()
            let proposed = s + Float(controller.h)
            let t = forward ? min(tEnd, proposed) : max(tEnd, proposed)
            let (target, up) = DPMSolverSteps<D>.ancestralTarget(from: s, to: t, end: tEnd, eta: eta)
            let e = try solver.cachedEps(&cache, x, s)
            let sigma = DPMSolverSteps<D>.sigma(s)
            let denoised = Tensor(shape: x.shape, data: zip(x.data, e.data).map { $0 - sigma * $1 })
            // The number of attempts is not known in advance: report against the nominal step
            // count (the schedule's length), stretched if the solver needs more attempts.
            try progress?(SamplerStep(index: attempts, count: max(sigmas.count - 1, attempts + 1), sigma: sigma, x: x, denoised: denoised))
            let low: Tensor, high: Tensor
            if order == 2 {
                low = try solver.firstOrder(x, s, target, &cache)
                high = try solver.secondOrder(x, s, target, r1: 0.5, &cache)
            } else {
                low = try solver.secondOrder(x, s, target, r1: 1.0 / 3.0, &cache)
                high = try solver.thirdOrder(x, s, target, &cache)
            }
            var sumSquares: Double = 0
            for i in 0..<x.count {
                let delta = max(absoluteTolerance, relativeTolerance * max(abs(low.data[i]), abs(previous.data[i])))
                let scaled = (low.data[i] - high.data[i]) / delta
                sumSquares += Double(scaled) * Double(scaled)
            }
            let error = Float(sumSquares.squareRoot()) / rootCount
            if controller.proposeStep(error: Double(error)) {
                previous = low
                let n = try drawNoise(&noise, from: sigma, to: DPMSolverSteps<D>.sigma(t), shape: x.shape)
                let amount = up * noiseScale
                x = Tensor(shape: x.shape, data: zip(high.data, n.data).map { $0 + amount * $1 })
                s = t
            }
            attempts += 1
        }
        return x
    }

    /// k-diffusion's `PIDStepSizeController`, in double precision as in Python.
    private struct StepSizeController {
        var h: Double
        let b1: Double, b2: Double, b3: Double
        let acceptSafety: Double
        let eps = 1e-8
        var errors: [Double] = []

        init(h: Double, p: Double, i: Double, d: Double, order: Double, acceptSafety: Double) {
            self.h = h
            b1 = (p + i + d) / order
            b2 = -(p + 2 * d) / order
            b3 = d / order
            self.acceptSafety = acceptSafety
        }

        mutating func proposeStep(error: Double) -> Bool {
            let inverse = 1 / (error + eps)
            if errors.isEmpty { errors = [inverse, inverse, inverse] }
            errors[0] = inverse
            var factor = pow(errors[0], b1) * pow(errors[1], b2) * pow(errors[2], b3)
            factor = 1 + atan(factor - 1)
            let accept = factor >= acceptSafety
            if accept {
                errors[2] = errors[1]
                errors[1] = errors[0]
            }
            h *= factor
            return accept
        }
    }
}
