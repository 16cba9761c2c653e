import Foundation
import TesseraCheckpoint
import TesseraTensor

/// Fills a `ParameterStore` while a model is being built: every layer asks for its weights by
/// name and expected shape, so a checkpoint of the wrong architecture is refused with the first
/// mismatching tensor named.
///
/// With `random`, weights are drawn instead (N(0, 1/fan_in) for matrices and kernels, zero
/// biases, unit norm scales) — full-size models for benchmarks without any checkpoint.
public final class ParameterLoader {
    enum Mode {
        case source(any WeightSource)
        case random(SeededGenerator)
        case catalogue
    }
    private var mode: Mode
    /// The store being filled.
    public let store: ParameterStore

    /// Loads from `source`.
    public init(source: any WeightSource) {
        mode = .source(source)
        store = ParameterStore(origin: source.path)
    }

    /// Draws seeded random weights.
    public init(randomSeed: UInt64) {
        mode = .random(SeededGenerator(seed: randomSeed))
        store = ParameterStore(origin: "random weights (seed \(randomSeed))")
    }

    /// Records names and shapes only, storing no tensors: the model built with it lists the
    /// weights its architecture needs (`catalogue`) and must not be run.
    init(catalogueFor description: String) {
        mode = .catalogue
        store = ParameterStore(origin: description)
    }

    /// Every parameter requested so far, with its shape.
    public private(set) var catalogue: [String: [Int]] = [:]

    /// Loads `name`, checks it has `shape`, stores it and returns the name.
    ///
    /// A stored shape that differs only by trailing 1-sized dimensions (LDM files keep some
    /// linear weights as `[O, I, 1, 1]`) is accepted and reshaped.
    @discardableResult
    public func load(_ name: String, shape: [Int], role: Role = .weight) throws -> String {
        catalogue[name] = shape
        switch mode {
        case .catalogue:
            break
        case .source(let source):
            guard source.contains(name) else {
                throw ModelError(source.path, "missing tensor '\(name)' (expected shape \(shape))")
            }
            var t = try source.tensor(name)
            if t.shape != shape {
                func squeezed(_ s: [Int]) -> [Int] { var s = s; while s.last == 1 && s.count > 1 { s.removeLast() }; return s }
                guard squeezed(t.shape) == squeezed(shape) else {
                    throw ModelError(source.path, "tensor '\(name)' has shape \(t.shape), expected \(shape)")
                }
                t = t.reshaped(shape)
            }
            store.insert(name, t)
        case .random(var generator):
            store.insert(name, generator.tensor(shape: shape, role: role))
            mode = .random(generator)
        }
        return name
    }

    /// What a parameter does, which decides its random initialisation.
    public enum Role { case weight, bias, normScale, normShift, embedding }
}

/// SplitMix64 plus Box–Muller: reproducible random weights without Foundation's global RNG.
struct SeededGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    mutating func tensor(shape: [Int], role: ParameterLoader.Role) -> Tensor {
        let count = shape.reduce(1, *)
        switch role {
        case .bias, .normShift: return Tensor(shape: shape, repeating: 0)
        case .normScale: return Tensor(shape: shape, repeating: 1)
        case .weight, .embedding:
            let fanIn = role == .embedding ? 1 : max(1, shape.dropFirst().reduce(1, *))
            let std = role == .embedding ? Float(0.02) : 1 / Float(fanIn).squareRoot()
            // Chunks with their own streams, drawn in parallel: a full SD1.5 set is 1.3 G values.
            let base = next()
            let chunk = 1 << 16
            var data = [Float](repeating: 0, count: count)
            data.withUnsafeMutableBufferPointer { buffer in
                Parallel.forEach((count + chunk - 1) / chunk) { c in
                    var stream = SeededGenerator(seed: base &+ UInt64(c) &* 0xD1B5_4A32_D192_ED03)
                    var i = c * chunk
                    let end = min(count, i + chunk)
                    while i < end {
                        let u1 = max(stream.uniform(), 1e-7), u2 = stream.uniform()
                        let r = (-2 * Foundation.log(u1)).squareRoot()
                        buffer[i] = std * r * Foundation.cos(2 * .pi * u2)
                        if i + 1 < end { buffer[i + 1] = std * r * Foundation.sin(2 * .pi * u2) }
                        i += 2
                    }
                }
            }
            return Tensor(shape: shape, data: data)
        }
    }
}
