import Foundation
import TesseraTensor

/// A model split over several `.safetensors` shards, described by a `*.safetensors.index.json`
/// whose `weight_map` names the shard holding each tensor (the Hugging Face convention).
public final class ShardedSafeTensors: TensorArchive, @unchecked Sendable {
    /// The index file.
    public let path: String
    /// Shard file name → opened shard.
    public let shards: [String: SafeTensorsFile]
    /// Tensor name → shard file name.
    public let weightMap: [String: String]
    public let tensorInfos: [String: TensorInfo]

    /// Opens the index at `indexPath` and every shard it names (headers only).
    public init(indexPath: String) throws {
        path = indexPath
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: indexPath, problem: problem) }
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw fail("cannot read the shard index")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: Any] else {
            throw fail("bad shard index: no \"weight_map\" object")
        }
        var weightMap: [String: String] = [:]
        for (name, value) in map {
            guard let shard = value as? String, !shard.contains("/"), !shard.isEmpty else {
                throw fail("bad shard index: weight_map entry '\(name)' is not a shard file name")
            }
            weightMap[name] = shard
        }
        let folder = (indexPath as NSString).deletingLastPathComponent
        var shards: [String: SafeTensorsFile] = [:]
        for shard in Set(weightMap.values).sorted() {
            shards[shard] = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent(shard))
        }
        var infos: [String: TensorInfo] = [:]
        for (name, shard) in weightMap {
            guard let info = shards[shard]?.tensorInfos[name] else {
                throw fail("weight_map puts '\(name)' in \(shard), which does not hold it")
            }
            infos[name] = info
        }
        self.weightMap = weightMap
        self.shards = shards
        self.tensorInfos = infos
    }

    public var names: [String] { tensorInfos.keys.sorted() }
    public func contains(_ name: String) -> Bool { tensorInfos[name] != nil }

    public func tensor(_ name: String) throws -> Tensor {
        guard let shard = weightMap[name], let file = shards[shard] else {
            throw CheckpointError(path: path, problem: "missing tensor '\(name)'")
        }
        return try file.tensor(name)
    }
}
