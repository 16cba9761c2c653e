import Foundation

/// A diffusers model folder: either a pipeline (`unet/`, `vae/`, `text_encoder/`, `controlnet/`
/// subfolders) or a single component (`config.json` + weights). Weights are
/// `diffusion_pytorch_model(.fp16).safetensors` / `model(.fp16).safetensors`, a sharded
/// `*.safetensors.index.json`, or the torch `.bin` equivalents.
public struct DiffusersFolder: Sendable {
    /// One component folder.
    public struct Component: Sendable {
        /// The component's folder.
        public let folder: String
        /// Its tensors under their stored (already canonical) names.
        public let archive: any TensorArchive
        /// The raw `config.json` (empty if the folder has none).
        public let configData: Data
        /// `_class_name` (diffusers) or the first of `architectures` (transformers), if given.
        public let className: String?

        /// The component as a `WeightSource`, with non-weight buffers (`position_ids`) hidden.
        public var weights: MappedWeightSource {
            var m = KeyMapping()
            for (name, info) in archive.tensorInfos where !NonWeightKeys.isIgnorable(name) {
                m.add(name, from: name, shape: info.shape)
            }
            return MappedWeightSource(archive: archive, mapping: m, component: (folder as NSString).lastPathComponent)
        }
    }

    /// The folder opened.
    public let path: String
    /// Components by role: "unet", "vae", "text_encoder", "controlnet".
    public let components: [String: Component]

    /// Weight file names tried in each component folder, in order of preference.
    static let weightFileNames = [
        "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors",
        "model.safetensors", "model.fp16.safetensors",
        "diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model.fp16.safetensors.index.json",
        "model.safetensors.index.json", "model.fp16.safetensors.index.json",
        "diffusion_pytorch_model.bin", "diffusion_pytorch_model.fp16.bin", "pytorch_model.bin", "pytorch_model.fp16.bin",
    ]

    /// Opens `path` (headers only).
    public init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        var components: [String: Component] = [:]
        for role in ["unet", "vae", "text_encoder", "controlnet"] {
            let sub = (path as NSString).appendingPathComponent(role)
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: sub, isDirectory: &isDir), isDir.boolValue {
                components[role] = try Self.component(folder: sub)
            }
        }
        if components.isEmpty {
            let single = try Self.component(folder: path)
            guard let role = Self.role(of: single) else {
                throw CheckpointError(path: path, problem: "not a diffusers folder: no unet/, vae/, text_encoder/ or controlnet/ subfolder and no recognisable config.json class")
            }
            components[role] = single
        }
        self.components = components
    }

    /// The component `role`, or an error naming the folder.
    public func component(_ role: String) throws -> Component {
        guard let c = components[role] else {
            throw CheckpointError(path: path, problem: "has no \(role) component")
        }
        return c
    }

    /// The UNet (diffusers names as stored).
    public var unet: MappedWeightSource { get throws { try component("unet").weights } }
    /// The VAE.
    public var vae: MappedWeightSource { get throws { try component("vae").weights } }
    /// The CLIP text encoder.
    public var textEncoder: MappedWeightSource { get throws { try component("text_encoder").weights } }
    /// The ControlNet.
    public var controlNet: MappedWeightSource { get throws { try component("controlnet").weights } }

    static func component(folder: String) throws -> Component {
        let fm = FileManager.default
        guard let file = weightFileNames.first(where: { fm.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) }) else {
            throw CheckpointError(path: folder, problem: "no weight file (expected one of \(weightFileNames.prefix(4).joined(separator: ", ")), …)")
        }
        let archive = try CheckpointArchive.open(path: (folder as NSString).appendingPathComponent(file))
        let configPath = (folder as NSString).appendingPathComponent("config.json")
        let data = fm.contents(atPath: configPath) ?? Data()
        var className: String?
        if !data.isEmpty {
            guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw CheckpointError(path: configPath, problem: "bad config: the JSON does not parse")
            }
            className = json["_class_name"] as? String ?? (json["architectures"] as? [String])?.first
        }
        return Component(folder: folder, archive: archive, configData: data, className: className)
    }

    /// The role of a lone component folder, from its config class or, failing that, its names.
    static func role(of c: Component) -> String? {
        switch c.className {
        case "UNet2DConditionModel": return "unet"
        case "AutoencoderKL": return "vae"
        case "ControlNetModel": return "controlnet"
        case "CLIPTextModel", "CLIPTextModelWithProjection": return "text_encoder"
        default: break
        }
        let names = c.archive.tensorInfos.keys
        if names.contains("controlnet_mid_block.weight") { return "controlnet" }
        if names.contains("conv_in.weight") && names.contains(where: { $0.hasPrefix("time_embedding.") }) { return "unet" }
        if names.contains("encoder.conv_in.weight") && names.contains("decoder.conv_in.weight") { return "vae" }
        if names.contains(where: { $0.hasPrefix("text_model.") }) { return "text_encoder" }
        return nil
    }
}
