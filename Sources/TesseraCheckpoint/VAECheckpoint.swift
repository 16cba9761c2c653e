/// A stand-alone VAE file (A1111's "SD VAE" setting: `*.vae.pt`, `*.vae.safetensors`,
/// `vae-ft-mse-840000-ema-pruned.safetensors`) presented under diffusers `AutoencoderKL` names.
/// Accepts bare LDM names (`encoder.down.0…`), `first_stage_model.`-prefixed ones, and diffusers.
public struct VAECheckpoint: Sendable {
    public let archive: any TensorArchive
    public let mapping: KeyMapping

    public init(path: String) throws {
        try self.init(archive: CheckpointArchive.open(path: path))
    }

    public init(archive: any TensorArchive) throws {
        guard let mapping = try Self.mapping(shapes: archive.shapes, path: archive.path) else {
            throw CheckpointError(path: archive.path, problem: "not a VAE: no encoder.*/decoder.* tensors")
        }
        self.archive = archive
        self.mapping = mapping
    }

    /// The mapping of a VAE's names, or nil if `shapes` holds no VAE.
    public static func mapping(shapes: [String: [Int]], path: String) throws -> KeyMapping? {
        let names = shapes.keys
        if names.contains(where: { $0.hasPrefix("encoder.down_blocks.") || $0.hasPrefix("decoder.up_blocks.") }) {
            var m = KeyMapping()
            for (name, shape) in shapes { m.add(name, from: name, shape: shape) }
            return m
        }
        let prefix: String
        if names.contains(where: { $0.hasPrefix("first_stage_model.decoder.") }) { prefix = LDMLayout.vaePrefix }
        else if names.contains(where: { $0.hasPrefix("decoder.up.") }) { prefix = "" }
        else { return nil }
        let (m, unplaced) = LDMVAEKeys.mapping(shapes: shapes, prefix: prefix)
        // VAE files often keep the loss's discriminator and LPIPS weights (loss.*); they are not VAE weights.
        let strays = unplaced.filter { prefix.isEmpty ? !$0.hasPrefix("loss.") && !NonWeightKeys.isIgnorable($0) : true }
        if !strays.isEmpty {
            throw CheckpointError(path: path, problem: "unexpected tensors for a VAE: \(NameList.firstFew(strays))")
        }
        return m
    }

    /// The VAE under diffusers names.
    public var vae: MappedWeightSource { MappedWeightSource(archive: archive, mapping: mapping, component: "vae") }
}
