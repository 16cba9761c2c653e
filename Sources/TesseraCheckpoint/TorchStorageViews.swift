import TesseraTensor

/// Tensors of a torch checkpoint as strided views into raw storages that lie in a mapped file:
/// shared by the zip and the legacy format, which differ only in where storages are.
struct TorchStorageViews: @unchecked Sendable {
    /// Where one storage's bytes are in the file.
    struct Extent {
        var offset: Int
        var size: Int
        /// Name used in error messages (zip member or storage key).
        var label: String
    }

    let file: MappedFile
    let refs: [String: TorchTensorRef]
    let extents: [String: Extent]
    let infos: [String: TensorInfo]

    /// Validates that every view stays inside its storage, with overflow checks, so a hostile or
    /// truncated file cannot make a later read leave the storage.
    init(file: MappedFile, refs: [String: TorchTensorRef], storage: (TorchStorageRef) throws -> Extent) throws {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: file.path, problem: problem) }
        var extents: [String: Extent] = [:]
        var infos: [String: TensorInfo] = [:]
        for (name, ref) in refs {
            let extent = try storage(ref.storage)
            let size = ref.storage.dtype.size
            var last = ref.offset
            var overflow = false
            var count = 1
            for (dim, stride) in zip(ref.shape, ref.stride) {
                let (c, o0) = count.multipliedReportingOverflow(by: dim)
                count = c
                overflow = overflow || o0
                guard dim > 0 else { continue }
                let (m, o1) = (dim - 1).multipliedReportingOverflow(by: stride)
                let (s, o2) = last.addingReportingOverflow(m)
                overflow = overflow || o1 || o2
                last = s
            }
            if overflow { throw fail("tensor '\(name)' has an impossible size \(ref.shape)") }
            if count > 0 {
                let (bytesNeeded, o3) = (last + 1).multipliedReportingOverflow(by: size)
                guard !o3, bytesNeeded <= extent.size else {
                    throw fail("truncated: tensor '\(name)' \(ref.shape) reaches past the end of its storage '\(extent.label)' (\(extent.size) bytes)")
                }
            }
            extents[name] = extent
            infos[name] = TensorInfo(dtype: ref.storage.dtype, shape: ref.shape)
        }
        self.file = file
        self.refs = refs
        self.extents = extents
        self.infos = infos
    }

    func tensor(_ name: String) throws -> Tensor {
        guard let ref = refs[name], let extent = extents[name] else {
            throw CheckpointError(path: file.path, problem: "missing tensor '\(name)'")
        }
        let size = ref.storage.dtype.size
        let count = ref.shape.reduce(1, *)
        if count == 0 { return Tensor(shape: ref.shape, data: []) }
        if isContiguous(ref) {
            let start = extent.offset + ref.offset * size
            return Tensor(shape: ref.shape, data: DTypeConversion.floats(from: file.bytes(start..<(start + count * size)), dtype: ref.storage.dtype))
        }
        // A strided view (e.g. a transposed tensor saved without .contiguous()): gather elements.
        var data = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: ref.shape.count)
        for i in 0..<count {
            var element = ref.offset
            for d in 0..<index.count { element += index[d] * ref.stride[d] }
            let at = extent.offset + element * size
            data[i] = DTypeConversion.floats(from: file.bytes(at..<(at + size)), dtype: ref.storage.dtype)[0]
            var d = index.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < ref.shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(shape: ref.shape, data: data)
    }

    private func isContiguous(_ ref: TorchTensorRef) -> Bool {
        var expected = 1
        for d in stride(from: ref.shape.count - 1, through: 0, by: -1) {
            if ref.shape[d] != 1 && ref.stride[d] != expected { return false }
            expected *= ref.shape[d]
        }
        return true
    }

    /// Finds the state dict in a checkpoint's top-level object: Lightning/LDM files wrap it in
    /// `state_dict`, BasicSR/Real-ESRGAN in `params_ema` (preferred, as their loaders do) or
    /// `params`; otherwise the top-level dict is the state dict. Returns tensors and the names
    /// of non-tensor entries.
    static func stateDict(in root: PickleValue, path: String) throws -> ([String: TorchTensorRef], [String]) {
        guard let top = root.dict else {
            throw CheckpointError(path: path, problem: "not a state dict: the pickle holds no dict at its top level")
        }
        var dict = top
        for wrapper in ["state_dict", "params_ema", "params", "model"] {
            if let inner = top[wrapper]?.dict { dict = inner; break }
        }
        var tensors: [String: TorchTensorRef] = [:]
        var others: [String] = []
        for (key, value) in dict.items {
            guard let name = key.string else { continue }
            if case .tensor(let t) = value { tensors[name] = t } else { others.append(name) }
        }
        if dict !== top {
            others += top.items.compactMap { $0.key.string }.filter { top[$0]?.dict !== dict }
        }
        return (tensors, others.sorted())
    }
}
