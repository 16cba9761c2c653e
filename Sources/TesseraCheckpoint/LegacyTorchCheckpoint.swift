import TesseraTensor

/// A checkpoint in torch's legacy (pre-1.6) serialization, still common for old ESRGAN `.pth`
/// files: consecutive pickles — magic number, protocol version, system info, the object, the
/// list of storage keys — followed by each storage as an 8-byte element count and raw
/// little-endian data, in key-list order. Read with `RestrictedUnpickler`; nothing is executed.
public final class LegacyTorchCheckpoint: TensorArchive, @unchecked Sendable {
    public let path: String
    public var tensorInfos: [String: TensorInfo] { views.infos }
    /// Non-tensor top-level entries, for information.
    public let otherEntries: [String]
    private let views: TorchStorageViews

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        path = file.path
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: file.path, problem: problem) }
        let all = file.bytes(0..<file.count)
        var offset = 0
        func nextPickle() throws -> PickleValue {
            var u = RestrictedUnpickler(bytes: UnsafeRawBufferPointer(rebasing: all[offset...]), path: file.path)
            let v = try u.load()
            offset += u.position
            return v
        }
        // The magic number is an 80-bit integer, beyond PickleValue's Int64; its pickle is
        // recognised by its bytes instead.
        let magicPickle: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        guard file.count >= magicPickle.count, Array(file.bytes(0..<magicPickle.count)) == magicPickle else {
            throw fail("not a torch checkpoint: unknown format (neither zip nor legacy torch magic number)")
        }
        offset = magicPickle.count
        guard case .int(let protocolVersion) = try nextPickle(), protocolVersion == 1001 else {
            throw fail("unsupported legacy torch protocol version")
        }
        if let info = try nextPickle().dict, case .bool(false)? = info["little_endian"] {
            throw fail("big-endian legacy checkpoints are not supported")
        }
        var main = RestrictedUnpickler(bytes: UnsafeRawBufferPointer(rebasing: all[offset...]), path: file.path)
        let (tensors, others) = try TorchStorageViews.stateDict(in: main.load(), path: file.path)
        offset += main.position
        let dtypeOfKey = main.storagesSeen
        guard case .list(let keyList) = try nextPickle() else { throw fail("legacy checkpoint lacks its storage key list") }
        // Storages follow in key-list order: 8-byte element count, then the elements.
        var extents: [String: TorchStorageViews.Extent] = [:]
        for item in keyList.items {
            guard let key = item.string else { throw fail("legacy storage key is not a string") }
            guard offset <= file.count - 8 else { throw fail("truncated: storage '\(key)' starts past the end of the file") }
            let count = Int64(littleEndian: file.bytes(offset..<(offset + 8)).loadUnaligned(as: Int64.self))
            guard let elementSize = dtypeOfKey[key]?.size else { throw fail("storage '\(key)' has no type in the pickle") }
            let (bytes, overflow) = Int(clamping: count).multipliedReportingOverflow(by: elementSize)
            guard count >= 0, !overflow, bytes <= file.count - offset - 8 else {
                throw fail("truncated: storage '\(key)' claims \(count) elements past the end of the file")
            }
            extents[key] = .init(offset: offset + 8, size: bytes, label: "storage \(key)")
            offset += 8 + bytes
        }
        views = try TorchStorageViews(file: file, refs: tensors) { storage in
            guard let e = extents[storage.key] else { throw fail("a tensor refers to storage '\(storage.key)', which the file does not hold") }
            return e
        }
        otherEntries = others
    }

    public var names: [String] { tensorInfos.keys.sorted() }
    public func contains(_ name: String) -> Bool { views.refs[name] != nil }
    public func tensor(_ name: String) throws -> Tensor { try views.tensor(name) }
}
