import TesseraCheckpoint
import TesseraTensor

/// Names and shapes without data (a key manifest), for detection tests that need no weights.
struct HeaderOnlyArchive: TensorArchive {
    let path: String
    let tensorInfos: [String: TensorInfo]

    init(path: String, shapes: [String: [Int]], dtype: TensorDType = .f16) {
        self.path = path
        tensorInfos = shapes.mapValues { TensorInfo(dtype: dtype, shape: $0) }
    }

    var names: [String] { tensorInfos.keys.sorted() }
    func contains(_ name: String) -> Bool { tensorInfos[name] != nil }
    func tensor(_ name: String) throws -> Tensor {
        throw CheckpointError(path: path, problem: "header-only archive has no data for '\(name)'")
    }
}
