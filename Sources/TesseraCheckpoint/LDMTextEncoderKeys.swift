/// LDM `FrozenCLIPEmbedder` names (`cond_stage_model.transformer.*`) → transformers
/// `CLIPTextModel` names (`text_model.*`).
public enum LDMTextEncoderKeys {
    /// Maps every name under `prefix` (e.g. `cond_stage_model.transformer.`). Files saved with an
    /// old transformers version lack the `text_model.` level; it is added. `position_ids` is a
    /// buffer, not a weight (merged checkpoints often hold it as corrupted floats), and is skipped.
    public static func mapping(shapes: [String: [Int]], prefix: String) -> (KeyMapping, ignored: [String], unplaced: [String]) {
        var mapping = KeyMapping()
        var ignored: [String] = []
        var unplaced: [String] = []
        for (name, shape) in LDMUNetKeys.stripped(shapes, prefix: prefix) {
            let canonical = name.hasPrefix("text_model.") ? name : "text_model." + name
            if canonical.hasSuffix("position_ids") {
                ignored.append(prefix + name)
            } else if isCLIPTextName(canonical) {
                mapping.add(canonical, from: prefix + name, shape: shape)
            } else {
                unplaced.append(prefix + name)
            }
        }
        return (mapping, ignored.sorted(), unplaced.sorted())
    }

    static func isCLIPTextName(_ name: String) -> Bool {
        ["text_model.embeddings.", "text_model.encoder.layers.", "text_model.final_layer_norm."].contains { name.hasPrefix($0) }
    }
}
