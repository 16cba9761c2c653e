/// An original LDM single-file SD1.x checkpoint (`.safetensors` or `.ckpt`) presented as the
/// three diffusers/transformers components the models are built from.
///
/// ```swift
/// let ckpt = try LDMCheckpoint(path: "v1-5-pruned-emaonly.safetensors")
/// let unet = try UNet(weights: ckpt.unet)   // names like down_blocks.0.resnets.0.conv1.weight
/// ```
public struct LDMCheckpoint: Sendable {
    /// The file's tensors under their stored names.
    public let archive: any TensorArchive
    /// The name split computed from the header.
    public let layout: LDMLayout
    /// Inferred UNet structure (nil if the file holds no UNet).
    public let unetConfig: UNetConfig?
    /// Inferred VAE structure (nil if the file holds no VAE).
    public let vaeConfig: VAEConfig?
    /// Inferred text encoder structure (nil if the file holds no text encoder).
    public let textEncoderConfig: TextEncoderConfig?

    /// Opens `path` (any format `CheckpointArchive.open` reads) and checks it is an SD1.x LDM file.
    public init(path: String) throws {
        try self.init(archive: CheckpointArchive.open(path: path))
    }

    /// Wraps an already opened archive; throws if it is not an SD1.x LDM checkpoint.
    public init(archive: any TensorArchive) throws {
        let shapes = archive.shapes
        try SD1Family.requireSD1(shapes: shapes, path: archive.path)
        let layout = LDMLayout(shapes: shapes)
        guard !layout.unet.sources.isEmpty || !layout.vae.sources.isEmpty || !layout.textEncoder.sources.isEmpty else {
            throw CheckpointError(path: archive.path, problem: "not an LDM checkpoint: no model.diffusion_model.*, first_stage_model.* or cond_stage_model.transformer.* tensors")
        }
        if !layout.partition.unplaced.isEmpty {
            throw CheckpointError(path: archive.path, problem: "unexpected tensors for an SD1.x checkpoint: \(NameList.firstFew(layout.partition.unplaced))")
        }
        self.archive = archive
        self.layout = layout
        (unetConfig, vaeConfig, textEncoderConfig) = try layout.validatedConfigs(path: archive.path)
    }

    /// The UNet under diffusers `UNet2DConditionModel` names.
    public var unet: MappedWeightSource { MappedWeightSource(archive: archive, mapping: layout.unet, component: "unet") }
    /// The VAE under diffusers `AutoencoderKL` names (attention projections as [C, C] linears).
    public var vae: MappedWeightSource { MappedWeightSource(archive: archive, mapping: layout.vae, component: "vae") }
    /// The CLIP text encoder under transformers `CLIPTextModel` names (`position_ids` dropped).
    public var textEncoder: MappedWeightSource { MappedWeightSource(archive: archive, mapping: layout.textEncoder, component: "text_encoder") }
}

/// Formats long name lists for one-line error messages.
enum NameList {
    /// "a, b, c and 12 more".
    static func firstFew(_ names: [String], limit: Int = 3) -> String {
        let shown = names.prefix(limit).map { "'\($0)'" }.joined(separator: ", ")
        return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
    }
}
