import TesseraCheckpoint
import TesseraTensor

/// Reads a kohya sd-scripts / LyCORIS file (`lora_unet_*`, `lora_te_*` keys with
/// `.lora_up/.lora_down/.alpha` or `.hada_w1_a...`) into `LoRAPatch`es for one model.
///
/// kohya flattens module paths with underscores (`down_blocks_0_attentions_0_proj_in`); the
/// module is found by flattening each name the model holds the same way, so only modules that
/// exist in the model can be targeted.
public enum KohyaLoRA {
    /// Patches in `source` whose keys start with `prefix` (`lora_unet_` or `lora_te_`), resolved
    /// against the weights of `model`. Keys that match no module are an error naming the key.
    public static func patches(from source: any WeightSource, prefix: String, model: ParameterStore) throws -> [LoRAPatch] {
        var modules: [String: String] = [:]
        for name in model.names where name.hasSuffix(".weight") {
            let module = String(name.dropLast(".weight".count))
            modules[flatten(module)] = module
            if module.hasPrefix("text_model.") {
                modules[flatten(String(module.dropFirst("text_model.".count)))] = module
            }
        }
        var groups: [String: Set<String>] = [:]
        for key in source.names where key.hasPrefix(prefix) {
            guard let dot = key.firstIndex(of: ".") else { continue }
            groups[String(key[key.index(key.startIndex, offsetBy: prefix.count)..<dot]), default: []].insert(String(key[dot...]))
        }
        var patches: [LoRAPatch] = []
        for (flat, parts) in groups.sorted(by: { $0.key < $1.key }) {
            let base = prefix + flat
            guard let module = modules[flat] else {
                throw ModelError(source.path, "LoRA key '\(base)' names no module of \(model.origin)")
            }
            let alpha = parts.contains(".alpha") ? try source.tensor(base + ".alpha").data.first : nil
            let factors: LoRAPatch.Factors
            if parts.contains(".lora_up.weight") && parts.contains(".lora_down.weight") {
                factors = .lowRank(up: try source.tensor(base + ".lora_up.weight"), down: try source.tensor(base + ".lora_down.weight"))
            } else if parts.isSuperset(of: [".hada_w1_a", ".hada_w1_b", ".hada_w2_a", ".hada_w2_b"]) {
                factors = .hadamard(w1a: try source.tensor(base + ".hada_w1_a"), w1b: try source.tensor(base + ".hada_w1_b"),
                                    w2a: try source.tensor(base + ".hada_w2_a"), w2b: try source.tensor(base + ".hada_w2_b"))
            } else {
                throw ModelError(source.path, "LoRA module '\(base)' has \(parts.sorted()) — not a LoRA/LoCon (lora_up+lora_down) or LoHa (hada_*) update")
            }
            patches.append(LoRAPatch(target: module, factors: factors, alpha: alpha))
        }
        return patches
    }

    static func flatten(_ module: String) -> String { module.replacingOccurrences(of: ".", with: "_") }
}
