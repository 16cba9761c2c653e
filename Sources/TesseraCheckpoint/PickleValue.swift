/// A value produced by `RestrictedUnpickler`: plain Python data plus the few torch objects a
/// state dict is made of. Nothing here is ever "called"; globals are symbols.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    /// Lists and dicts are reference types in pickle (memo entries alias them), hence the boxes.
    case list(PickleList)
    case dict(PickleDict)
    /// An allowed global, not yet applied.
    case global(module: String, name: String)
    /// A torch storage named by the checkpoint's persistent id.
    case storage(TorchStorageRef)
    /// A tensor view of a storage (`_rebuild_tensor_v2`).
    case tensor(TorchTensorRef)
    /// An allowed but irrelevant object (numpy scalar, Lightning callback state, …): kept as a
    /// description only.
    case opaque(String)

    /// The dict, if this is one.
    public var dict: PickleDict? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// Whether this is Python's None.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A mutable pickle list.
public final class PickleList: @unchecked Sendable {
    public var items: [PickleValue] = []
}

/// A mutable pickle dict, insertion-ordered like Python's.
public final class PickleDict: @unchecked Sendable {
    public var items: [(key: PickleValue, value: PickleValue)] = []

    /// The value under string key `key`.
    public subscript(key: String) -> PickleValue? {
        items.last { $0.key.string == key }?.value
    }
}

/// A storage persistent id: `('storage', torch.FloatStorage, key, location, numel)`.
public struct TorchStorageRef: Sendable, Equatable {
    /// Element type from the storage class.
    public var dtype: TensorDType
    /// Name of the storage's record in the archive (`data/<key>`).
    public var key: String
}

/// A strided view of a storage.
public struct TorchTensorRef: Sendable, Equatable {
    public var storage: TorchStorageRef
    /// Offset in elements.
    public var offset: Int
    public var shape: [Int]
    public var stride: [Int]
}
