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
}

extension SafeTensorsFile: WeightSource {
    public func contains(_ name: String) -> Bool { entries[name] != nil }
}
