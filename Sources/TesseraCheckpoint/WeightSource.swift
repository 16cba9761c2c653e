import TesseraTensor

/// Named Float32 weights of one model component, whatever file layout they came from.
///
/// Models are built from a `WeightSource` whose names follow the diffusers / transformers
/// layout (`down_blocks.0.resnets.0.conv1.weight`, `text_model.encoder.layers.0...`); loaders
/// for LDM single files, ControlNet `control_model.` files and the like present their tensors
/// under those names, so the model code knows one naming only.
public protocol WeightSource: Sendable {
    /// File or folder the weights come from, for error messages.
    var path: String { get }
    /// Every tensor name available.
    var names: [String] { get }
    /// Whether `name` is available.
    func contains(_ name: String) -> Bool
    /// The tensor `name` as Float32; throws a `CheckpointError` naming the file if absent or unreadable.
    func tensor(_ name: String) throws -> Tensor
    /// The shape of `name` (as `tensor(name)` would return it), or nil if absent. File-backed
    /// sources answer from their header without reading data.
    func shape(_ name: String) -> [Int]?
}

extension WeightSource {
    /// Fallback for sources without header metadata: decodes the tensor.
    public func shape(_ name: String) -> [Int]? {
        contains(name) ? (try? tensor(name))?.shape : nil
    }
}

extension SafeTensorsFile: WeightSource {
    public func contains(_ name: String) -> Bool { entries[name] != nil }
}
