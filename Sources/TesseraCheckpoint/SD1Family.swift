/// Tells SD1.x files from the other Stable Diffusion families that share the LDM key style,
/// so an SD2/SDXL/SD3 checkpoint is refused up front instead of failing on a shape later.
public enum SD1Family {
    /// Why `shapes` is not an SD1.x model, or nil if nothing marks another family.
    public static func otherFamilyEvidence(shapes: [String: [Int]]) -> String? {
        let markers: [(prefix: String, what: String)] = [
            ("conditioner.embedders.", "SDXL-style conditioner.embedders.* text encoders"),
            ("model.diffusion_model.label_emb.", "an SDXL size/aesthetic embedding (model.diffusion_model.label_emb.*)"),
            ("model.diffusion_model.joint_blocks.", "SD3 MMDiT blocks (model.diffusion_model.joint_blocks.*)"),
            ("model.diffusion_model.double_blocks.", "Flux transformer blocks (model.diffusion_model.double_blocks.*)"),
            ("text_encoders.", "SD3-style text_encoders.*"),
            ("cond_stage_model.model.", "an OpenCLIP text encoder (cond_stage_model.model.*) as SD2.x uses"),
            ("add_embedding.", "an SDXL add_embedding (diffusers UNet)"),
        ]
        var names = Array(shapes.keys)
        names.sort()
        for (prefix, what) in markers {
            if let hit = names.first(where: { $0.hasPrefix(prefix) }) { return "\(what), e.g. '\(hit)'" }
        }
        for name in names where name.hasSuffix("attn2.to_k.weight") {
            if let dim = shapes[name]?.last, dim == 1024 || dim == 2048 {
                let family = dim == 1024 ? "SD2.x" : "SDXL"
                return "cross-attention dim \(dim) (\(family); SD1.x uses 768) in '\(name)'"
            }
        }
        return nil
    }

    /// Throws "not an SD1.x checkpoint: found …" if `shapes` belongs to another family.
    public static func requireSD1(shapes: [String: [Int]], path: String) throws {
        if let evidence = otherFamilyEvidence(shapes: shapes) {
            throw CheckpointError(path: path, problem: "not an SD1.x checkpoint: found \(evidence)")
        }
    }
}
