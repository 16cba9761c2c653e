/// kohya sd-scripts LoRA module names (`lora_unet_down_blocks_0_attentions_0_proj_in`,
/// `lora_te_text_model_encoder_layers_0_self_attn_q_proj`) → canonical diffusers/transformers
/// module paths (`down_blocks.0.attentions.0.proj_in`).
///
/// kohya joins the module path with "_", which is ambiguous because identifiers contain "_"
/// too; the path is rebuilt by matching the multi-word identifiers these models use.
public enum KohyaNames {
    /// Which model a LoRA module patches.
    public enum Component: String, Sendable {
        case unet
        case textEncoder = "text_encoder"
    }

    /// Identifiers made of several "_"-joined words, longest first.
    static let compounds: [[String]] = [
        "final_layer_norm", "conv_norm_out", "time_emb_proj",
        "down_blocks", "up_blocks", "mid_block", "transformer_blocks", "to_q", "to_k", "to_v", "to_out",
        "proj_in", "proj_out", "conv_shortcut", "conv_in", "conv_out", "time_embedding", "linear_1", "linear_2",
        "text_model", "self_attn", "q_proj", "k_proj", "v_proj", "out_proj", "layer_norm1", "layer_norm2",
        "token_embedding", "position_embedding",
        // LDM (CompVis) module names, which A1111 also accepts after lora_unet_.
        "input_blocks", "middle_block", "output_blocks", "in_layers", "out_layers", "emb_layers", "skip_connection",
        "time_embed",
    ].map { $0.split(separator: "_").map(String.init) }.sorted { $0.count > $1.count }

    /// The component and canonical module path of a kohya module name, or nil if the prefix is
    /// not `lora_unet_` / `lora_te_` or the path is not inside the SD1.x UNet / CLIP module tree.
    public static func target(of moduleName: String) -> (Component, String)? {
        let component: Component
        let rest: String
        if let r = moduleName.dropPrefix("lora_unet_") {
            component = .unet
            rest = r
        } else if let r = moduleName.dropPrefix("lora_te_") {
            component = .textEncoder
            rest = r
        } else {
            return nil
        }
        let words = rest.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        var parts: [String] = []
        var i = 0
        while i < words.count {
            if let c = compounds.first(where: { i + $0.count <= words.count && Array(words[i..<(i + $0.count)]) == $0 }) {
                parts.append(c.joined(separator: "_"))
                i += c.count
            } else {
                parts.append(words[i])
                i += 1
            }
        }
        var target = parts.joined(separator: ".")
        // LDM-style UNet names (lora_unet_input_blocks_1_1_proj_in) are renamed like LDM
        // checkpoint keys; SD1.x has 2 layers per block, i.e. 3 input blocks per level.
        if component == .unet, ["input_blocks.", "middle_block.", "output_blocks.", "time_embed.", "out."].contains(where: { target.hasPrefix($0) }) {
            guard let canonical = LDMUNetKeys.canonicalName(target + ".weight", perLevel: 3) else { return nil }
            target = String(canonical.dropLast(".weight".count))
        }
        // Names outside the diffusers/transformers module tree (e.g. LDM-style
        // lora_unet_input_blocks_…) would patch nothing; refuse them instead.
        let roots = component == .unet
            ? ["down_blocks.", "up_blocks.", "mid_block.", "conv_in", "conv_out", "time_embedding."]
            : ["text_model.encoder.layers.", "text_model.embeddings.", "text_model.final_layer_norm"]
        guard roots.contains(where: { target.hasPrefix($0) }) else { return nil }
        return (component, target)
    }
}
