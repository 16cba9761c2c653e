import Foundation

/// Running total of floating-point operations done by the matrix-multiply based ops
/// (convolutions, linear layers, attention), for benchmarks that report GFLOP/s.
///
/// Counts 2·m·n·k per matrix product; element-wise work is not counted.
public enum FlopCounter {
    private final class Storage: @unchecked Sendable {
        let lock = NSLock()
        var total: Int64 = 0
    }
    private static let storage = Storage()

    /// Operations counted since the process started (or the last `reset`).
    public static var total: Int64 {
        storage.lock.lock(); defer { storage.lock.unlock() }
        return storage.total
    }

    /// Sets the total back to zero.
    public static func reset() {
        storage.lock.lock(); storage.total = 0; storage.lock.unlock()
    }

    /// Adds `flops` operations.
    public static func add(_ flops: Int64) {
        storage.lock.lock(); storage.total += flops; storage.lock.unlock()
    }
}
