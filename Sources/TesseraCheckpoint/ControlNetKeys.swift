/// lllyasviel ControlNet (`cldm.ControlNet`, v1.0/v1.1 files, with or without the
/// `control_model.` prefix) names → diffusers `ControlNetModel` names.
///
/// The encoder copy (time_embed, input_blocks, middle_block) is numbered like the LDM UNet; the
/// ControlNet-only parts are the hint encoder (`input_hint_block.{0,2,…,2n}`: conv, SiLU, conv, …),
/// the zero convs after every input block (`zero_convs.N.0`) and after the middle block
/// (`middle_block_out.0`).
public enum ControlNetKeys {
    /// Maps every name under `prefix` ("control_model." or "" for prefix-less files).
    public static func mapping(shapes: [String: [Int]], prefix: String) -> (KeyMapping, unplaced: [String]) {
        let local = LDMUNetKeys.stripped(shapes, prefix: prefix)
        let perLevel = LDMUNetKeys.layersPerBlock(localNames: local.keys) + 1
        var lastHint = 0
        for name in local.keys {
            if let rest = name.dropPrefix("input_hint_block."), let (k, _) = LDMUNetKeys.index(rest) { lastHint = max(lastHint, k) }
        }
        var mapping = KeyMapping()
        var unplaced: [String] = []
        for (name, shape) in local {
            if let canonical = canonicalName(name, perLevel: perLevel, lastHint: lastHint) {
                mapping.add(canonical, from: prefix + name, shape: shape)
            } else {
                unplaced.append(prefix + name)
            }
        }
        return (mapping, unplaced.sorted())
    }

    static func canonicalName(_ name: String, perLevel: Int, lastHint: Int) -> String? {
        if let rest = name.dropPrefix("input_hint_block.") {
            // Odd indices are SiLU activations without parameters.
            guard let (k, t) = LDMUNetKeys.index(rest), k % 2 == 0, LDMUNetKeys.isParameter(t) else { return nil }
            if k == 0 { return "controlnet_cond_embedding.conv_in.\(t)" }
            if k == lastHint { return "controlnet_cond_embedding.conv_out.\(t)" }
            return "controlnet_cond_embedding.blocks.\(k / 2 - 1).\(t)"
        }
        if let rest = name.dropPrefix("zero_convs.") {
            guard let (n, s, t) = LDMUNetKeys.indexPair(rest), s == 0, LDMUNetKeys.isParameter(t) else { return nil }
            return "controlnet_down_blocks.\(n).\(t)"
        }
        if let t = name.dropPrefix("middle_block_out.0."), LDMUNetKeys.isParameter(t) {
            return "controlnet_mid_block.\(t)"
        }
        if name.hasPrefix("output_blocks.") || name.hasPrefix("out.") { return nil }
        return LDMUNetKeys.canonicalName(name, perLevel: perLevel)
    }
}
