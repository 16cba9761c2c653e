import TesseraCheckpoint
import TesseraModels
import TesseraTensor

/// A `WeightSource` held in a dictionary, to build models from hand-made or exported weights.
struct InMemoryWeights: WeightSource {
    var path = "in-memory"
    var tensors: [String: Tensor]
    var names: [String] { tensors.keys.sorted() }
    func contains(_ name: String) -> Bool { tensors[name] != nil }
    func tensor(_ name: String) throws -> Tensor {
        guard let t = tensors[name] else { throw CheckpointError(path: path, problem: "missing tensor '\(name)'") }
        return t
    }

    /// Every parameter of `store`, as a source another model can load.
    init(_ store: ParameterStore) {
        var tensors: [String: Tensor] = [:]
        for name in store.names { tensors[name] = store[name] }
        self.tensors = tensors
    }
}
