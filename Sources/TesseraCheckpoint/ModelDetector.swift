/// What a model file or folder is, found from tensor names and shapes only.
public struct DetectedModel: Sendable {
    /// Model kinds Tessera knows.
    public enum Kind: String, Sendable {
        case sd1Checkpoint = "SD1.x checkpoint"
        case sd1InpaintingCheckpoint = "SD1.x inpainting checkpoint"
        case unet = "SD1.x UNet"
        case vae = "VAE"
        case textEncoder = "CLIP text encoder"
        case controlNet = "SD1.x ControlNet"
        case lora = "LoRA"
        case esrgan = "ESRGAN upscaler"
    }

    public var kind: Kind
    /// The stored layout, e.g. "original LDM single file" or "diffusers".
    public var layout: String
    /// Weight components under canonical names ("unet", "vae", "text_encoder", "controlnet", "esrgan").
    public var components: [String: MappedWeightSource] = [:]
    public var unet: UNetConfig?
    public var vae: VAEConfig?
    public var textEncoder: TextEncoderConfig?
    public var controlNet: ControlNetConfig?
    public var esrgan: ESRGANConfig?
    /// LoRA modules (for `.lora`).
    public var loraModules: [LoRAFile.Module] = []
    /// Stored names deliberately not loaded (schedule buffers, position_ids, EMA copies, …).
    public var ignored: [String] = []
}

/// Identifies a model from its tensor metadata; the error for an unknown or foreign file says
/// what was found.
public enum ModelDetector {
    /// Detects the model in an opened file.
    public static func detect(archive: any TensorArchive) throws -> DetectedModel {
        let shapes = archive.shapes
        let path = archive.path
        try SD1Family.requireSD1(shapes: shapes, path: path)
        let names = shapes.keys
        if (try ControlNetCheckpoint.mapping(shapes: shapes, path: path)) != nil {
            let cn = try ControlNetCheckpoint(archive: archive)
            var d = DetectedModel(kind: .controlNet, layout: cn.layout.rawValue)
            d.components["controlnet"] = cn.controlNet
            d.controlNet = cn.config
            d.unet = cn.config.unet
            d.ignored = Set(names).subtracting(cn.mapping.sources.values.map(\.name)).sorted()
            return d
        }
        if names.contains(where: { $0.hasPrefix("lora_unet_") || $0.hasPrefix("lora_te_") }) {
            let lora = try LoRAFile(archive: archive)
            var d = DetectedModel(kind: .lora, layout: "kohya sd-scripts / LyCORIS")
            d.loraModules = lora.modules
            return d
        }
        let ldmPrefixes = [LDMLayout.unetPrefix, LDMLayout.vaePrefix, LDMLayout.textEncoderPrefix]
        if names.contains(where: { n in ldmPrefixes.contains { n.hasPrefix($0) } }) {
            return try ldm(LDMCheckpoint(archive: archive))
        }
        if let (layout, _) = try ESRGANCheckpoint.mapping(shapes: shapes, path: path) {
            let e = try ESRGANCheckpoint(archive: archive)
            var d = DetectedModel(kind: .esrgan, layout: layout.rawValue)
            d.components["esrgan"] = e.weights
            d.esrgan = e.config
            return d
        }
        if try VAECheckpoint.mapping(shapes: shapes, path: path) != nil {
            let v = try VAECheckpoint(archive: archive)
            let config = try VAEConfig.infer(shapes: v.mapping.shapes, path: path)
            try ShapeCheck.require(v.mapping.shapes, matches: config.expectedShapes(), component: "VAE", path: path)
            let diffusers = names.contains { $0.hasPrefix("encoder.down_blocks.") }
            var d = DetectedModel(kind: .vae, layout: diffusers ? "diffusers" : "original LDM (encoder.*/decoder.*)")
            d.components["vae"] = v.vae
            d.vae = config
            d.ignored = Set(names).subtracting(v.mapping.sources.values.map(\.name)).sorted()
            return d
        }
        if names.contains("conv_in.weight"), names.contains(where: { $0.hasPrefix("time_embedding.") }) {
            let source = identity(archive, component: "unet")
            let config = try UNetConfig.infer(shapes: source.mapping.shapes, path: path)
            try ShapeCheck.require(source.mapping.shapes, matches: config.expectedShapes(), component: "UNet", path: path)
            var d = DetectedModel(kind: .unet, layout: "diffusers")
            d.components["unet"] = source
            d.unet = config
            return d
        }
        if names.contains(where: { $0.hasPrefix("text_model.") }) {
            let source = identity(archive, component: "text_encoder")
            let config = try TextEncoderConfig.infer(shapes: source.mapping.shapes, path: path)
            try ShapeCheck.require(source.mapping.shapes, matches: config.expectedShapes(), component: "text encoder", path: path)
            var d = DetectedModel(kind: .textEncoder, layout: "transformers")
            d.components["text_encoder"] = source
            d.textEncoder = config
            d.ignored = names.filter(NonWeightKeys.isIgnorable).sorted()
            return d
        }
        throw CheckpointError(path: path, problem: "not a recognised model: \(names.count) tensors such as \(NameList.firstFew(names.sorted()))")
    }

    /// Detects the model in a diffusers folder.
    public static func detect(folder: DiffusersFolder) throws -> DetectedModel {
        var d: DetectedModel
        if folder.components.count == 1, let (role, component) = folder.components.first {
            d = try detect(archive: component.archive)
            d.layout = "diffusers folder (\(role))"
            return d
        }
        d = DetectedModel(kind: .sd1Checkpoint, layout: "diffusers pipeline folder")
        for (role, component) in folder.components {
            let source = component.weights
            let shapes = source.mapping.shapes
            try SD1Family.requireSD1(shapes: shapes, path: component.folder)
            d.components[role] = source
            switch role {
            case "unet":
                let c = try UNetConfig.infer(shapes: shapes, path: component.folder)
                try ShapeCheck.require(shapes, matches: c.expectedShapes(), component: "UNet", path: component.folder)
                d.unet = c
            case "vae":
                let c = try VAEConfig.infer(shapes: shapes, path: component.folder)
                try ShapeCheck.require(shapes, matches: c.expectedShapes(), component: "VAE", path: component.folder)
                d.vae = c
            case "text_encoder":
                let c = try TextEncoderConfig.infer(shapes: shapes, path: component.folder)
                try ShapeCheck.require(shapes, matches: c.expectedShapes(), component: "text encoder", path: component.folder)
                d.textEncoder = c
            case "controlnet":
                let c = try ControlNetConfig.infer(shapes: shapes, path: component.folder)
                try ShapeCheck.require(shapes, matches: c.expectedShapes(), component: "ControlNet", path: component.folder)
                d.controlNet = c
            default: break
            }
        }
        if d.unet?.isInpainting == true { d.kind = .sd1InpaintingCheckpoint }
        return d
    }

    static func ldm(_ ckpt: LDMCheckpoint) throws -> DetectedModel {
        let has = (unet: ckpt.unetConfig != nil, vae: ckpt.vaeConfig != nil, te: ckpt.textEncoderConfig != nil)
        let kind: DetectedModel.Kind
        switch has {
        case (true, true, true): kind = ckpt.unetConfig?.isInpainting == true ? .sd1InpaintingCheckpoint : .sd1Checkpoint
        case (true, false, false): kind = .unet
        case (false, true, false): kind = .vae
        case (false, false, true): kind = .textEncoder
        default:
            let present = [has.unet ? "UNet" : nil, has.vae ? "VAE" : nil, has.te ? "text encoder" : nil].compactMap { $0 }
            throw CheckpointError(path: ckpt.archive.path, problem: "incomplete SD1.x checkpoint: it holds only the \(present.joined(separator: " and "))")
        }
        var d = DetectedModel(kind: kind, layout: "original LDM single file")
        if has.unet { d.components["unet"] = ckpt.unet }
        if has.vae { d.components["vae"] = ckpt.vae }
        if has.te { d.components["text_encoder"] = ckpt.textEncoder }
        d.unet = ckpt.unetConfig
        d.vae = ckpt.vaeConfig
        d.textEncoder = ckpt.textEncoderConfig
        d.ignored = ckpt.layout.partition.ignored
        return d
    }

    static func identity(_ archive: any TensorArchive, component: String) -> MappedWeightSource {
        var m = KeyMapping()
        for (name, info) in archive.tensorInfos where !NonWeightKeys.isIgnorable(name) { m.add(name, from: name, shape: info.shape) }
        return MappedWeightSource(archive: archive, mapping: m, component: component)
    }
}
