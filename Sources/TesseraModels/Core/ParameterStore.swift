import Foundation
import TesseraTensor

/// The Float32 weights of one loaded model, by diffusers / transformers name.
///
/// Layers look their weights up here at call time, so LoRA merging can replace a weight in
/// place and later restore the exact original (`restoreOriginals`): one loaded model serves
/// jobs with different LoRAs. Reads during a forward pass and merges must not overlap; the lock
/// only keeps the dictionary itself consistent.
public final class ParameterStore: @unchecked Sendable {
    private let lock = NSLock()
    private var tensors: [String: Tensor] = [:]
    private var originals: [String: Tensor] = [:]
    /// Where the weights came from, for error messages.
    public let origin: String

    public init(origin: String) { self.origin = origin }

    /// The weight `name`. Layers only ask for names they registered, so absence is a programming error.
    public subscript(name: String) -> Tensor {
        lock.lock(); defer { lock.unlock() }
        guard let t = tensors[name] else { preconditionFailure("parameter '\(name)' was never loaded from \(origin)") }
        return t
    }

    /// Whether `name` is held.
    public func contains(_ name: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return tensors[name] != nil
    }

    /// Every parameter name, sorted.
    public var names: [String] {
        lock.lock(); defer { lock.unlock() }
        return tensors.keys.sorted()
    }

    /// Total number of Float32 elements held.
    public var parameterCount: Int {
        lock.lock(); defer { lock.unlock() }
        return tensors.values.reduce(0) { $0 + $1.count }
    }

    func insert(_ name: String, _ tensor: Tensor) {
        lock.lock(); tensors[name] = tensor; lock.unlock()
    }

    /// Replaces weight `name` by `update(current)`, remembering the first original so that
    /// `restoreOriginals` can undo every change exactly.
    public func modify(_ name: String, _ update: (Tensor) throws -> Tensor) throws {
        lock.lock(); defer { lock.unlock() }
        guard let current = tensors[name] else {
            throw ModelError(origin, "no parameter '\(name)' to modify")
        }
        let updated = try update(current)
        guard updated.shape == current.shape else {
            throw ModelError(origin, "update of '\(name)' changes its shape \(current.shape) to \(updated.shape)")
        }
        if originals[name] == nil { originals[name] = current }
        tensors[name] = updated
    }

    /// Names of weights currently differing from what was loaded.
    public var modifiedNames: [String] {
        lock.lock(); defer { lock.unlock() }
        return originals.keys.sorted()
    }

    /// Puts back every weight changed by `modify` exactly as loaded.
    public func restoreOriginals() {
        lock.lock(); defer { lock.unlock() }
        for (name, t) in originals { tensors[name] = t }
        originals.removeAll()
    }
}
