/// How A1111 treats eta and ENSD per sampler (`sd_samplers_kdiffusion.py`, `sd_samplers_timesteps.py`,
/// `sd_samplers_common.is_sampler_using_eta_noise_seed_delta`), for the infotext.
extension SamplerKind {
    /// The sampler function takes an `eta` argument, so an eta other than the default is recorded.
    public var takesEta: Bool {
        [.eulerAncestral, .dpm2Ancestral, .dpmpp2SAncestral, .dpmppSDE, .dpmpp2MSDE, .dpmpp2MSDEHeun, .dpmpp3MSDE,
         .dpmFast, .dpmAdaptive, .ddim].contains(self)
    }

    /// The eta used when the job gives none: `eta_ddim` (0) for DDIM, `eta_ancestral` (1) otherwise.
    public var defaultEta: Float { self == .ddim ? 0 : 1 }

    /// The infotext key of a non-default eta: "Eta DDIM" for DDIM, "Eta" for k-diffusion samplers.
    public var etaInfotextKey: String { self == .ddim ? "Eta DDIM" : "Eta" }

    /// The sampler's sampler-config option `uses_ensd`: its per-step noise comes from the seed streams that ENSD
    /// reseeds, so ENSD is recorded (when the eta in use is not 0).
    public var usesENSD: Bool {
        [.eulerAncestral, .dpm2Ancestral, .dpmpp2SAncestral, .dpmFast, .dpmAdaptive, .ddim].contains(self)
    }
}
