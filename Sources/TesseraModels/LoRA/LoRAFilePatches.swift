import TesseraCheckpoint
import TesseraTensor

extension LoRAFile {
    /// The modules of this file that patch `component`, as `LoRAPatch`es ready for
    /// `ParameterStore.merge` (targets are the checkpoint layer's canonical module names).
    public func patches(for component: KohyaNames.Component) throws -> [LoRAPatch] {
        try modules.filter { $0.component == component }.map { module in
            let factors: LoRAPatch.Factors
            switch module.kind {
            case .lora, .locon:
                factors = .lowRank(up: try factor(module, "lora_up.weight"), down: try factor(module, "lora_down.weight"))
            case .loha:
                factors = .hadamard(w1a: try factor(module, "hada_w1_a"), w1b: try factor(module, "hada_w1_b"),
                                    w2a: try factor(module, "hada_w2_a"), w2b: try factor(module, "hada_w2_b"))
            }
            // LoRAPatch keeps alpha; the file reports alpha / rank.
            let alpha = module.alphaName == nil ? nil : try scale(module) * Float(module.rank)
            return LoRAPatch(target: module.target, factors: factors, alpha: alpha)
        }
    }
}
