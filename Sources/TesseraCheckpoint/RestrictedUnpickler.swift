import Foundation

/// Reads a pickle (protocols 0–5) WITHOUT executing anything: it interprets the opcodes into
/// `PickleValue`s and accepts only the globals that describe tensor data (the same allow-list
/// idea as AUTOMATIC1111's `modules/safe.py`). Any other global — `posix.system`,
/// `builtins.eval`, a model class — is refused with an error naming it, before anything else
/// in the stream is looked at.
public struct RestrictedUnpickler {
    /// Globals a torch state dict may reference. Applying one only builds a description.
    public static let allowedGlobals: Set<String> = Set([
        "collections.OrderedDict", "typing.OrderedDict",
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch.nn.modules.container.ParameterDict",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", "_codecs.encode",
        "__builtin__.set", "builtins.set",
        "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
    ]).union(storageTypes.keys.map { "torch.\($0)" })

    /// torch storage class → element type.
    public static let storageTypes: [String: TensorDType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    private let bytes: UnsafeRawBufferPointer
    private let path: String
    private var pos = 0

    /// Storage key → element type of every storage the pickle referred to.
    public private(set) var storagesSeen: [String: TensorDType] = [:]

    /// Bytes consumed so far (after `load()`, the length of the pickle including STOP).
    public var position: Int { pos }
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// Prepares to read `bytes`; `path` names the file in errors.
    public init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Interprets the whole pickle and returns its value.
    public mutating func load() throws -> PickleValue {
        while true {
            let at = pos
            let op = try byte()
            switch op {
            case 0x80: _ = try byte()                                   // PROTO
            case 0x95: _ = try take(8)                                  // FRAME: framing is irrelevant here
            case 0x2E:                                                  // STOP
                guard let v = stack.popLast() else { throw fail("pickle ends with an empty stack") }
                return v
            case 0x28: marks.append(stack.count)                        // MARK
            case 0x7D: stack.append(.dict(PickleDict()))                // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList()))                // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))                         // EMPTY_TUPLE
            case 0x8F: stack.append(.list(PickleList()))                // EMPTY_SET (as a list)
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4B: stack.append(.int(Int64(try byte())))            // BININT1
            case 0x4D: stack.append(.int(Int64(try uint(2))))           // BININT2
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x8A: stack.append(.int(try long(length: Int(try byte()))))              // LONG1
            case 0x8B: stack.append(.int(try long(length: try length(4))))                // LONG4
            case 0x47:                                                  // BINFLOAT, big-endian
                let b = try take(8)
                var bits: UInt64 = 0
                for x in b { bits = bits << 8 | UInt64(x) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x8C: stack.append(.string(try text(length: Int(try byte()))))   // SHORT_BINUNICODE
            case 0x58: stack.append(.string(try text(length: try length(4))))     // BINUNICODE
            case 0x8D: stack.append(.string(try text(length: try length(8))))     // BINUNICODE8
            case 0x55: stack.append(.string(try latin1(length: Int(try byte()))))  // SHORT_BINSTRING
            case 0x54: stack.append(.string(try latin1(length: try length(4))))    // BINSTRING
            case 0x43: stack.append(.bytes(Array(try take(Int(try byte())))))      // SHORT_BINBYTES
            case 0x42: stack.append(.bytes(Array(try take(try length(4)))))        // BINBYTES
            case 0x8E: stack.append(.bytes(Array(try take(try length(8)))))        // BINBYTES8
            case 0x49, 0x4C:                                            // INT, LONG (protocol 0 text)
                let line = try textLine()
                let digits = line.hasSuffix("L") ? String(line.dropLast()) : line
                if digits == "00" { stack.append(.bool(false)) } else if digits == "01" { stack.append(.bool(true)) } else {
                    guard let v = Int64(digits) else { throw fail("bad integer '\(line)' at byte \(at)") }
                    stack.append(.int(v))
                }
            case 0x46:                                                  // FLOAT (text)
                let line = try textLine()
                guard let v = Double(line) else { throw fail("bad float '\(line)' at byte \(at)") }
                stack.append(.float(v))
            case 0x71: try put(Int(try byte()))                         // BINPUT
            case 0x72: try put(try length(4))                           // LONG_BINPUT
            case 0x70:                                                  // PUT (text)
                guard let i = Int(try textLine()) else { throw fail("bad memo index at byte \(at)") }
                try put(i)
            case 0x94: try put(memo.count)                              // MEMOIZE
            case 0x68: try get(Int(try byte()))                         // BINGET
            case 0x6A: try get(try length(4))                           // LONG_BINGET
            case 0x67:                                                  // GET (text)
                guard let i = Int(try textLine()) else { throw fail("bad memo index at byte \(at)") }
                try get(i)
            case 0x30: _ = try pop()                                    // POP
            case 0x31: _ = try popMark()                                // POP_MARK
            case 0x32:                                                  // DUP
                guard let top = stack.last else { throw fail("DUP on an empty stack at byte \(at)") }
                stack.append(top)
            case 0x74: stack.append(.tuple(try popMark()))              // TUPLE
            case 0x85: stack.append(.tuple(try pop(1)))                 // TUPLE1
            case 0x86: stack.append(.tuple(try pop(2)))                 // TUPLE2
            case 0x87: stack.append(.tuple(try pop(3)))                 // TUPLE3
            case 0x6C:                                                  // LIST
                let l = PickleList()
                l.items = try popMark()
                stack.append(.list(l))
            case 0x64:                                                  // DICT
                let d = PickleDict()
                try addPairs(try popMark(), to: d)
                stack.append(.dict(d))
            case 0x91: stack.append(.opaque("frozenset(\(try popMark().count) items)"))  // FROZENSET
            case 0x61:                                                  // APPEND
                let v = try pop()
                try appendTarget().items.append(v)
            case 0x65, 0x90:                                            // APPENDS, ADDITEMS
                let vs = try popMark()
                try appendTarget().items.append(contentsOf: vs)
            case 0x73:                                                  // SETITEM
                let v = try pop()
                let k = try pop()
                try addPairs([k, v], to: try dictTarget())
            case 0x75:                                                  // SETITEMS
                let kv = try popMark()
                try addPairs(kv, to: try dictTarget())
            case 0x63:                                                  // GLOBAL "module\nname\n"
                let module = try textLine()
                let name = try textLine()
                stack.append(try global(module, name))
            case 0x93:                                                  // STACK_GLOBAL
                let name = try pop()
                let module = try pop()
                guard let m = module.string, let n = name.string else { throw fail("STACK_GLOBAL without strings at byte \(at)") }
                stack.append(try global(m, n))
            case 0x51:                                                  // BINPERSID
                stack.append(try persistentLoad(try pop()))
            case 0x52:                                                  // REDUCE
                let args = try pop()
                let callable = try pop()
                stack.append(try reduce(callable, args))
            case 0x81:                                                  // NEWOBJ
                let args = try pop()
                let cls = try pop()
                stack.append(try reduce(cls, args))
            case 0x92:                                                  // NEWOBJ_EX
                _ = try pop()
                let args = try pop()
                let cls = try pop()
                stack.append(try reduce(cls, args))
            case 0x62:                                                  // BUILD: state of an allowed object
                _ = try pop()
                guard !stack.isEmpty else { throw fail("BUILD on an empty stack at byte \(at)") }
            default:
                let name = Self.refusedOpcodes[op].map { "\($0) " } ?? ""
                throw fail("pickle opcode \(name)0x\(String(op, radix: 16)) at byte \(at) is not allowed: only tensor data is loaded")
            }
        }
    }

    /// Opcodes that construct arbitrary objects; named in the error to make the refusal clear.
    static let refusedOpcodes: [UInt8: String] = [
        0x69: "INST", 0x6F: "OBJ", 0x50: "PERSID", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
    ]

    private func fail(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: problem) }

    private mutating func byte() throws -> UInt8 {
        guard pos < bytes.count else { throw fail("truncated pickle: ends at byte \(pos) without STOP") }
        defer { pos += 1 }
        return bytes[pos]
    }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer.SubSequence {
        guard n >= 0, n <= bytes.count - pos else { throw fail("truncated pickle: needs \(n) bytes at byte \(pos)") }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    private mutating func uint(_ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    private mutating func length(_ n: Int) throws -> Int {
        let v = try uint(n)
        guard v <= UInt64(bytes.count) else { throw fail("truncated pickle: a length of \(v) exceeds the data at byte \(pos)") }
        return Int(v)
    }

    /// LONG1/LONG4: little-endian two's complement.
    private mutating func long(length n: Int) throws -> Int64 {
        guard n <= 8 else { throw fail("pickle integer of \(n) bytes at byte \(pos) is too large") }
        if n == 0 { return 0 }
        let b = Array(try take(n))
        var v: UInt64 = 0
        for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
        if n < 8, b[n - 1] & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }
        return Int64(bitPattern: v)
    }

    private mutating func text(length n: Int) throws -> String {
        String(decoding: try take(n), as: UTF8.self)
    }

    private mutating func latin1(length n: Int) throws -> String {
        String(try take(n).map { Character(Unicode.Scalar($0)) })
    }

    private mutating func textLine() throws -> String {
        var out: [UInt8] = []
        while true {
            let b = try byte()
            if b == 0x0A { break }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func pop() throws -> PickleValue {
        if let m = marks.last, stack.count <= m { throw fail("pickle pops past a MARK at byte \(pos)") }
        guard let v = stack.popLast() else { throw fail("pickle stack underflow at byte \(pos)") }
        return v
    }

    private mutating func pop(_ n: Int) throws -> [PickleValue] {
        var out: [PickleValue] = []
        for _ in 0..<n { out.insert(try pop(), at: 0) }
        return out
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast() else { throw fail("pickle uses a MARK that was never set at byte \(pos)") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    private mutating func put(_ i: Int) throws {
        guard let top = stack.last else { throw fail("pickle memoizes an empty stack at byte \(pos)") }
        memo[i] = top
    }

    private mutating func get(_ i: Int) throws {
        guard let v = memo[i] else { throw fail("pickle refers to memo entry \(i) that was never stored") }
        stack.append(v)
    }

    private func appendTarget() throws -> PickleList {
        guard case .list(let l)? = stack.last else { throw fail("APPEND target is not a list at byte \(pos)") }
        return l
    }

    private func dictTarget() throws -> PickleDict {
        guard case .dict(let d)? = stack.last else { throw fail("SETITEM target is not a dict at byte \(pos)") }
        return d
    }

    private func addPairs(_ kv: [PickleValue], to d: PickleDict) throws {
        guard kv.count % 2 == 0 else { throw fail("dict items come in an odd number at byte \(pos)") }
        for i in stride(from: 0, to: kv.count, by: 2) { d.items.append((kv[i], kv[i + 1])) }
    }

    private func global(_ module: String, _ name: String) throws -> PickleValue {
        let full = "\(module).\(name)"
        guard Self.allowedGlobals.contains(full) else {
            throw fail("refused pickle global '\(full)': only tensor data is loaded")
        }
        return .global(module: module, name: name)
    }

    /// torch's `persistent_id`: `('storage', storage_type, key, location, numel)`.
    private mutating func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = pid, t.count >= 3, t[0].string == "storage",
              case .global(let module, let name) = t[1], module == "torch", let dtype = Self.storageTypes[name] else {
            throw fail("unsupported persistent id in pickle (expected a torch storage)")
        }
        if t.count >= 6, !(t[5].isNone) {
            throw fail("legacy storage views are not supported")
        }
        let key: String
        switch t[2] {
        case .string(let s): key = s
        case .int(let i): key = String(i)
        default: throw fail("torch storage with a non-string key")
        }
        storagesSeen[key] = dtype
        return .storage(TorchStorageRef(dtype: dtype, key: key))
    }

    private func reduce(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let module, let name) = callable else {
            throw fail("pickle calls something that is not an allowed global at byte \(pos)")
        }
        let argv: [PickleValue]
        if case .tuple(let t) = args { argv = t } else { argv = [] }
        switch "\(module).\(name)" {
        case "collections.OrderedDict", "typing.OrderedDict", "torch.nn.modules.container.ParameterDict":
            let d = PickleDict()
            if case .list(let l)? = argv.first {
                for item in l.items {
                    if case .tuple(let kv) = item, kv.count == 2 { d.items.append((kv[0], kv[1])) }
                }
            }
            return .dict(d)
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            return .tensor(try rebuildTensor(argv))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let first = argv.first, case .tensor = first else { throw fail("_rebuild_parameter without a tensor") }
            return first
        default:
            return .opaque("\(module).\(name)")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, …)`.
    private func rebuildTensor(_ a: [PickleValue]) throws -> TorchTensorRef {
        guard a.count >= 4, case .storage(let storage) = a[0], case .int(let offset) = a[1],
              case .tuple(let size) = a[2], case .tuple(let stride) = a[3] else {
            throw fail("malformed _rebuild_tensor_v2 arguments")
        }
        func ints(_ v: [PickleValue]) throws -> [Int] {
            try v.map {
                guard case .int(let i) = $0, i >= 0, i <= Int64(Int32.max) * 16 else { throw fail("tensor with a bad size or stride") }
                return Int(i)
            }
        }
        let shape = try ints(size)
        let strides = try ints(stride)
        guard shape.count == strides.count, offset >= 0 else { throw fail("tensor with mismatched size and stride") }
        return TorchTensorRef(storage: storage, offset: Int(offset), shape: shape, stride: strides)
    }
}
