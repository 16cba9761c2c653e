import TesseraSampling

extension GenerationRequest {
    /// The sampling run this request asks for: steps, img2img strength and step mode, the RNG source with ENSD,
    /// eta, and the img2img noise multipliers.
    public func samplingPlan(selection: SamplerSelection) -> SamplingPlan {
        SamplingPlan(selection: selection, steps: steps, denoisingStrength: isImg2Img ? denoisingStrength : nil,
                     fixSteps: fixSteps, noiseSource: NoiseSource(rng: rng, etaNoiseSeedDelta: etaNoiseSeedDelta),
                     eta: eta, initialNoiseMultiplier: initialNoiseMultiplier, extraNoise: extraNoise)
    }
}
