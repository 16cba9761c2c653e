import TesseraTensor

/// A `WeightSource` presenting some of an archive's tensors under canonical names.
public struct MappedWeightSource: WeightSource {
    /// The archive the tensors are read from.
    public let archive: any TensorArchive
    /// Canonical name → stored tensor.
    public let mapping: KeyMapping
    /// Which component of the file this is (e.g. "unet"), for error messages.
    public let component: String

    public init(archive: any TensorArchive, mapping: KeyMapping, component: String) {
        self.archive = archive
        self.mapping = mapping
        self.component = component
    }

    public var path: String { archive.path }
    public var names: [String] { mapping.names }
    public func contains(_ name: String) -> Bool { mapping.sources[name] != nil }

    /// Canonical shape of `name` without reading its data.
    public func shape(_ name: String) -> [Int]? { mapping.shapes[name] }

    public func tensor(_ name: String) throws -> Tensor {
        guard let source = mapping.sources[name] else {
            throw CheckpointError(path: path, problem: "missing tensor '\(name)' in the \(component) weights")
        }
        var t = try archive.tensor(source.name)
        let shape = source.transform.apply(to: t.shape)
        if shape != t.shape { t = Tensor(shape: shape, data: t.data) }
        return t
    }
}
