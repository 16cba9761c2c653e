import TesseraTensor

/// A LoRA-family file (kohya LoRA, LoCon, LyCORIS LoHa) split into modules, each naming the
/// canonical weight it patches and the stored factors, so a model can merge
/// `W += multiplier * scale * delta` itself.
public struct LoRAFile: Sendable {
    /// How a module's delta is built from its factors.
    public enum Kind: String, Sendable {
        /// delta = up @ down (linear or 1×1 conv).
        case lora = "LoRA"
        /// delta = up (1×1) ∘ down (k×k conv): a LoCon conv module.
        case locon = "LoCon"
        /// delta = (w1_a @ w1_b) ⊙ (w2_a @ w2_b).
        case loha = "LoHa"
    }

    /// One patched module.
    public struct Module: Sendable, Equatable {
        /// Stored module name (`lora_unet_…`).
        public var storedName: String
        public var component: KohyaNames.Component
        /// Canonical module path; the patched tensor is `target + ".weight"`.
        public var target: String
        public var kind: Kind
        /// Factor ("lora_down.weight", "lora_up.weight", "hada_w1_a", …) → stored tensor name.
        public var factors: [String: String]
        /// Factor → stored shape.
        public var factorShapes: [String: [Int]]
        /// The rank (inner dimension).
        public var rank: Int
        /// Stored name of the 0-dim alpha, if present (without it, alpha = rank, scale 1).
        public var alphaName: String?

        /// The canonical name of the patched weight.
        public var targetWeight: String { target + ".weight" }
    }

    public let archive: any TensorArchive
    /// Modules sorted by stored name.
    public let modules: [Module]

    public init(path: String) throws {
        try self.init(archive: CheckpointArchive.open(path: path))
    }

    public init(archive: any TensorArchive) throws {
        modules = try Self.modules(shapes: archive.shapes, path: archive.path)
        self.archive = archive
    }

    /// A module's factor as Float32.
    public func factor(_ module: Module, _ factor: String) throws -> Tensor {
        guard let stored = module.factors[factor] else {
            throw CheckpointError(path: archive.path, problem: "LoRA module '\(module.storedName)' has no factor '\(factor)'")
        }
        return try archive.tensor(stored)
    }

    /// `alpha / rank`, the scale kohya and A1111 apply to the delta (1 if alpha is absent).
    public func scale(_ module: Module) throws -> Float {
        guard let name = module.alphaName else { return 1 }
        let t = try archive.tensor(name)
        guard t.count == 1 else {
            throw CheckpointError(path: archive.path, problem: "LoRA alpha '\(name)' has \(t.count) elements, expected a scalar")
        }
        return t.data[0] / Float(module.rank)
    }

    /// Groups stored names into modules by name and shape alone.
    public static func modules(shapes: [String: [Int]], path: String) throws -> [Module] {
        var groups: [String: [String: String]] = [:]
        for name in shapes.keys {
            guard let dot = name.firstIndex(of: ".") else {
                throw CheckpointError(path: path, problem: "unexpected tensor '\(name)' in a LoRA file")
            }
            groups[String(name[..<dot]), default: [:]][String(name[name.index(after: dot)...])] = name
        }
        var modules: [Module] = []
        for (moduleName, members) in groups.sorted(by: { $0.key < $1.key }) {
            guard let (component, target) = KohyaNames.target(of: moduleName) else {
                throw CheckpointError(path: path, problem: "unrecognised LoRA module '\(moduleName)' (expected kohya lora_unet_*/lora_te_* names of SD1.x diffusers modules)")
            }
            let alphaName = members["alpha"]
            var factors = members
            factors["alpha"] = nil
            let factorShapes = factors.mapValues { shapes[$0] ?? [] }
            let kind: Kind
            let rank: Int
            func fail(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: "LoRA module '\(moduleName)': \(problem)") }
            // DoRA rescales the merged weight's column norms; merging without it would be silently wrong.
            if factors["dora_scale"] != nil { throw fail("DoRA (dora_scale) is not supported") }
            if let down = factorShapes["lora_down.weight"], let up = factorShapes["lora_up.weight"] {
                guard down.count >= 2, up.count >= 2, down[0] == up[1] else {
                    throw fail("lora_down \(down) and lora_up \(up) do not share a rank")
                }
                rank = down[0]
                kind = down.count == 4 && (down[2] != 1 || down[3] != 1) ? .locon : .lora
            } else if let w1a = factorShapes["hada_w1_a"], let w1b = factorShapes["hada_w1_b"],
                      let w2a = factorShapes["hada_w2_a"], let w2b = factorShapes["hada_w2_b"] {
                guard w1a.count == 2, w1b.count >= 2, w1a[1] == w1b[0], w2a.count == 2, w2b.count >= 2, w2a[1] == w2b[0] else {
                    throw fail("hada factors \(w1a), \(w1b), \(w2a), \(w2b) do not chain")
                }
                rank = w1b[0]
                kind = .loha
            } else {
                throw fail("unsupported factors \(factors.keys.sorted()) (LoRA, LoCon and LoHa are supported)")
            }
            if let alphaName, let alphaShape = shapes[alphaName], alphaShape.reduce(1, *) != 1 {
                throw fail("alpha has shape \(alphaShape), expected a scalar")
            }
            modules.append(Module(storedName: moduleName, component: component, target: target, kind: kind,
                                  factors: factors, factorShapes: factorShapes, rank: rank, alphaName: alphaName))
        }
        return modules
    }
}
