/// A ControlNet file presented under diffusers `ControlNetModel` names, whichever layout it is
/// stored in: lllyasviel v1.0/v1.1 (`control_model.*`), the same without prefix, or diffusers.
public struct ControlNetCheckpoint: Sendable {
    /// Stored layouts a ControlNet file comes in.
    public enum Layout: String, Sendable {
        case ldmPrefixed = "lllyasviel (control_model.*)"
        case ldmBare = "lllyasviel (no prefix)"
        case diffusers = "diffusers"
    }

    public let archive: any TensorArchive
    public let layout: Layout
    /// Canonical name → stored tensor.
    public let mapping: KeyMapping
    /// Inferred structure (every tensor checked against it on open).
    public let config: ControlNetConfig

    /// Opens `path` (a file; for a diffusers folder use `DiffusersFolder`).
    public init(path: String) throws {
        try self.init(archive: CheckpointArchive.open(path: path))
    }

    /// Wraps an archive; throws if it is not an SD1.x ControlNet.
    public init(archive: any TensorArchive) throws {
        let shapes = archive.shapes
        try SD1Family.requireSD1(shapes: shapes, path: archive.path)
        guard let (layout, mapping) = try Self.mapping(shapes: shapes, path: archive.path) else {
            throw CheckpointError(path: archive.path, problem: "not a ControlNet: no input_hint_block / controlnet_cond_embedding tensors")
        }
        self.archive = archive
        self.layout = layout
        self.mapping = mapping
        config = try ControlNetConfig.infer(shapes: mapping.shapes, path: archive.path)
        try ShapeCheck.require(mapping.shapes, matches: config.expectedShapes(), component: "ControlNet", path: archive.path)
    }

    /// The layout and mapping of a ControlNet from names and shapes, or nil if `shapes` is not a
    /// ControlNet. Throws if it looks like one but has tensors the layout cannot place.
    public static func mapping(shapes: [String: [Int]], path: String) throws -> (Layout, KeyMapping)? {
        let names = shapes.keys
        if names.contains(where: { $0.hasPrefix("controlnet_cond_embedding.") }) {
            var m = KeyMapping()
            for (name, shape) in shapes { m.add(name, from: name, shape: shape) }
            return (.diffusers, m)
        }
        let layout: Layout
        if names.contains(where: { $0.hasPrefix("control_model.input_hint_block.") }) {
            layout = .ldmPrefixed
        } else if names.contains(where: { $0.hasPrefix("input_hint_block.") }) {
            layout = .ldmBare
        } else {
            return nil
        }
        let prefix = layout == .ldmPrefixed ? "control_model." : ""
        let (m, unplaced) = ControlNetKeys.mapping(shapes: shapes, prefix: prefix)
        // A v1.0 file may also carry a whole SD model next to control_model.*; only the bare
        // layout owns every name, so only there are strays an error.
        let strays = layout == .ldmBare ? unplaced : unplaced.filter { $0.hasPrefix(prefix) }
        if !strays.isEmpty {
            throw CheckpointError(path: path, problem: "unexpected tensors for a ControlNet: \(NameList.firstFew(strays))")
        }
        return (layout, m)
    }

    /// The ControlNet under diffusers names.
    public var controlNet: MappedWeightSource {
        MappedWeightSource(archive: archive, mapping: mapping, component: "controlnet")
    }
}
