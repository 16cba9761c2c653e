import TesseraTensor

/// A torch.save checkpoint (`.ckpt`, `.pth`, `.pt`, `.bin`) in the zip format torch has written
/// since 1.6: `<archive>/data.pkl` (the pickled object) and `<archive>/data/<key>` (raw
/// little-endian storages, stored uncompressed). The pickle is read with `RestrictedUnpickler`,
/// so nothing in the file is executed; tensor data is read from the memory-mapped storages.
public final class TorchZipCheckpoint: TensorArchive, @unchecked Sendable {
    public let path: String
    public var tensorInfos: [String: TensorInfo] { views.infos }
    /// Non-tensor top-level entries (e.g. `global_step`), for information.
    public let otherEntries: [String]
    private let views: TorchStorageViews

    /// Opens `path`.
    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    /// Reads the directory and the pickle of an already mapped file; validates every tensor's
    /// extent against its storage so a truncated or inconsistent file is refused on open.
    public init(file: MappedFile) throws {
        path = file.path
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: file.path, problem: problem) }
        let zip = try ZipDirectory(file: file)
        let pickles = zip.entries.keys.filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickleName = pickles.first else {
            throw fail("not a torch checkpoint: expected one '<archive>/data.pkl' in the zip, found \(pickles.count)")
        }
        let archive = String(pickleName.dropLast("data.pkl".count))
        guard let pickleEntry = zip.entries[pickleName], pickleEntry.method == 0 else {
            throw fail("'\(pickleName)' is compressed; torch checkpoints store their members uncompressed")
        }
        var unpickler = RestrictedUnpickler(bytes: file.bytes(pickleEntry.dataOffset..<(pickleEntry.dataOffset + pickleEntry.size)), path: file.path)
        let (tensors, others) = try TorchStorageViews.stateDict(in: unpickler.load(), path: file.path)
        views = try TorchStorageViews(file: file, refs: tensors) { storage in
            let member = archive + "data/" + storage.key
            guard let entry = zip.entries[member] else {
                throw fail("a tensor refers to storage '\(member)', which is not in the archive")
            }
            guard entry.method == 0 else { throw fail("storage '\(member)' is compressed; expected stored data") }
            return .init(offset: entry.dataOffset, size: entry.size, label: member)
        }
        otherEntries = others
    }

    public var names: [String] { tensorInfos.keys.sorted() }
    public func contains(_ name: String) -> Bool { views.refs[name] != nil }
    public func tensor(_ name: String) throws -> Tensor { try views.tensor(name) }
}
