import Foundation

/// Opens any supported container of named tensors by looking at its content, not its extension.
public enum CheckpointArchive {
    /// Opens `path`: a `.safetensors` file, a torch checkpoint (`.ckpt`/`.pth`/`.pt`/`.bin`, zip
    /// or legacy pre-1.6 format),
    /// a sharded `*.safetensors.index.json`, or a folder holding exactly one of those.
    public static func open(path: String) throws -> any TensorArchive {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError(path: path, problem: "no such file or folder")
        }
        if isDirectory.boolValue {
            throw CheckpointError(path: path, problem: "is a folder; open it with DiffusersFolder")
        }
        if path.hasSuffix(".index.json") {
            return try ShardedSafeTensors(indexPath: path)
        }
        let file = try MappedFile(path: path)
        let magic = file.count >= 4 ? Array(file.bytes(0..<4)) : []
        if magic == [0x50, 0x4B, 0x03, 0x04] || magic == [0x50, 0x4B, 0x05, 0x06] {
            return try TorchZipCheckpoint(file: file)
        }
        if magic.first == 0x80 {
            return try LegacyTorchCheckpoint(file: file)
        }
        return try SafeTensorsFile(file: file)
    }
}
