import TesseraTensor

/// How A1111 turns img2img "Denoising strength" into a schedule and a step count
/// (`setup_img2img_steps` + `sample_img2img`): the full schedule is built, then only its tail
/// from `sigmas[scheduleSteps − encodedSteps − 1]` on is sampled.
public struct Img2ImgSteps: Sendable, Equatable {
    /// Steps the user asked for.
    public let steps: Int
    /// Denoising strength in [0, 1].
    public let denoisingStrength: Double
    /// A1111 `img2img_fix_steps` ("run exactly the requested steps").
    public let fixSteps: Bool
    /// Length of the schedule that is built (`steps`, or `int(steps / min(d, 0.999))` with fixSteps).
    public let scheduleSteps: Int
    /// A1111 `t_enc`: `int(min(d, 0.999) · steps)`, or `steps − 1` with fixSteps.
    public let encodedSteps: Int

    /// Validates `steps` ≥ 1 and strength in 0…1 and derives A1111's step counts.
    public init(steps: Int, denoisingStrength: Double, fixSteps: Bool = false) throws {
        guard steps >= 1 else {
            throw SamplingError.invalidParameter(name: "steps", problem: "must be at least 1, got \(steps)")
        }
        guard denoisingStrength >= 0, denoisingStrength <= 1 else {
            throw SamplingError.invalidParameter(name: "denoising_strength", problem: "must be in 0...1, got \(denoisingStrength)")
        }
        self.steps = steps
        self.denoisingStrength = denoisingStrength
        self.fixSteps = fixSteps
        let capped = min(denoisingStrength, 0.999)
        if fixSteps {
            guard denoisingStrength > 0 else {
                throw SamplingError.invalidParameter(name: "denoising_strength", problem: "must be above 0 when img2img_fix_steps is on (A1111 would build an empty schedule)")
            }
            scheduleSteps = Int(Double(steps) / capped)
            encodedSteps = steps - 1
        } else {
            scheduleSteps = steps
            encodedSteps = Int(capped * Double(steps))
        }
    }

    /// Sampler steps actually run: `encodedSteps + 1`.
    public var stepsRun: Int { encodedSteps + 1 }

    /// The tail of a `scheduleSteps + 1`-long schedule that is sampled (`stepsRun + 1` sigmas).
    public func slice(_ sigmas: [Float]) -> [Float] {
        Array(sigmas[max(scheduleSteps - encodedSteps - 1, 0)...])
    }

    /// The latent sampling starts from: `init + noise · sigmas[0]`, plus
    /// `noise · extraNoise` (A1111 `img2img_extra_noise`, default 0) with the same noise.
    public func startLatent(initLatent: Tensor, noise: Tensor, sigmas: [Float], extraNoise: Float = 0) throws -> Tensor {
        guard initLatent.shape == noise.shape else {
            throw SamplingError.mismatch("img2img: init latent shape \(initLatent.shape) differs from noise shape \(noise.shape)")
        }
        guard let first = sigmas.first else {
            throw SamplingError.invalidParameter(name: "sigmas", problem: "empty schedule")
        }
        var x = initLatent.stepped(along: noise, by: first)
        if extraNoise > 0 { x = x.stepped(along: noise, by: extraNoise) }
        return x
    }
}
