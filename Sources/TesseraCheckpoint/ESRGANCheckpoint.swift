/// An ESRGAN / Real-ESRGAN RRDBNet file presented under BasicSR names (`conv_first`,
/// `body.N.rdbK.convJ`, `conv_body`, `conv_up1`, `conv_up2`, `conv_hr`, `conv_last`), whether it is
/// stored in that layout or the original ESRGAN one (`model.0`, `model.1.sub.N.RDBk.convj.0`,
/// `model.1.sub.<last>`, then the upsampling convs `model.3`, `model.6`, …, `conv_hr`, `conv_last`).
public struct ESRGANCheckpoint: Sendable {
    /// Stored layouts.
    public enum Layout: String, Sendable {
        case basicSR = "BasicSR / Real-ESRGAN"
        case original = "original ESRGAN (model.N)"
    }

    public let archive: any TensorArchive
    public let layout: Layout
    public let mapping: KeyMapping
    /// Inferred structure (every tensor checked against it on open).
    public let config: ESRGANConfig

    public init(path: String) throws {
        try self.init(archive: CheckpointArchive.open(path: path))
    }

    public init(archive: any TensorArchive) throws {
        guard let (layout, mapping) = try Self.mapping(shapes: archive.shapes, path: archive.path) else {
            throw CheckpointError(path: archive.path, problem: "not an ESRGAN RRDBNet: no conv_first or model.0 tensors")
        }
        self.archive = archive
        self.layout = layout
        self.mapping = mapping
        config = try ESRGANConfig.infer(shapes: mapping.shapes, path: archive.path)
        try ShapeCheck.require(mapping.shapes, matches: config.expectedShapes(), component: "ESRGAN", path: archive.path)
    }

    /// The weights under BasicSR names.
    public var weights: MappedWeightSource { MappedWeightSource(archive: archive, mapping: mapping, component: "esrgan") }

    /// Layout and mapping from names and shapes; nil if `shapes` is not an RRDBNet.
    public static func mapping(shapes: [String: [Int]], path: String) throws -> (Layout, KeyMapping)? {
        if shapes["conv_first.weight"] != nil, shapes.keys.contains(where: { $0.hasPrefix("body.0.rdb1.") }) {
            var m = KeyMapping()
            for (name, shape) in shapes { m.add(name, from: name, shape: shape) }
            return (.basicSR, m)
        }
        guard shapes["model.0.weight"] != nil, shapes.keys.contains(where: { $0.hasPrefix("model.1.sub.0.RDB1.") }) else { return nil }
        // The convs after the trunk, in order: upsampling convs, then conv_hr, then conv_last.
        var tail = Set<Int>()
        var lastSub = -1
        for name in shapes.keys {
            let parts = name.split(separator: ".")
            guard parts.count >= 3, parts[0] == "model", let n = Int(parts[1]) else { continue }
            if n >= 2 { tail.insert(n) }
            if n == 1, parts.count == 5, parts[2] == "sub", let s = Int(parts[3]) { lastSub = max(lastSub, s) }
        }
        let ordered = tail.sorted()
        guard ordered.count >= 2 else {
            throw CheckpointError(path: path, problem: "ESRGAN file lacks its final convolutions (model.N after the trunk)")
        }
        var names: [Int: String] = [ordered[ordered.count - 1]: "conv_last", ordered[ordered.count - 2]: "conv_hr"]
        for (i, n) in ordered.dropLast(2).enumerated() { names[n] = "conv_up\(i + 1)" }
        var m = KeyMapping()
        var unplaced: [String] = []
        for (name, shape) in shapes {
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count >= 3, parts[0] == "model", let n = Int(parts[1]), let param = parts.last, LDMUNetKeys.isParameter(param) else {
                unplaced.append(name)
                continue
            }
            if n == 0, parts.count == 3 {
                m.add("conv_first.\(param)", from: name, shape: shape)
            } else if let target = names[n], parts.count == 3 {
                m.add("\(target).\(param)", from: name, shape: shape)
            } else if n == 1, parts.count == 5, parts[2] == "sub", Int(parts[3]) == lastSub {
                m.add("conv_body.\(param)", from: name, shape: shape)
            } else if n == 1, parts.count == 8, parts[2] == "sub", let b = Int(parts[3]), parts[4].hasPrefix("RDB"),
                      let k = Int(parts[4].dropFirst(3)), parts[5].hasPrefix("conv"), let j = Int(parts[5].dropFirst(4)), parts[6] == "0" {
                // model.1.sub.N.RDBk.convj.0.weight → body.N.rdbk.convj.weight
                m.add("body.\(b).rdb\(k).conv\(j).\(param)", from: name, shape: shape)
            } else {
                unplaced.append(name)
            }
        }
        if !unplaced.isEmpty {
            throw CheckpointError(path: path, problem: "unexpected tensors for an ESRGAN RRDBNet: \(NameList.firstFew(unplaced.sorted()))")
        }
        return (.original, m)
    }
}
