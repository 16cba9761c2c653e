import Foundation

/// Reusable scratch memory for the im2col bands.
///
/// A fresh multi-megabyte buffer per convolution costs a page fault per 4 KB page (the kernel
/// zero-fills each one); handing the same buffers back and forth keeps them mapped. At most a few
/// buffers of the band budget exist at a time, so the pool stays small.
enum ScratchPool {
    private final class Storage: @unchecked Sendable {
        let lock = NSLock()
        var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []
    }
    private static let storage = Storage()
    /// Buffers kept for reuse; more concurrent users just allocate.
    private static let keep = 4

    /// Runs `body` with at least `count` uninitialised floats.
    static func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        var buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)?
        storage.lock.lock()
        if let i = storage.free.firstIndex(where: { $0.capacity >= count }) {
            buffer = storage.free.remove(at: i)
        }
        storage.lock.unlock()
        let chosen = buffer ?? (UnsafeMutablePointer<Float>.allocate(capacity: count), count)
        defer {
            storage.lock.lock()
            storage.free.append(chosen)
            var dropped: [UnsafeMutablePointer<Float>] = []
            if storage.free.count > keep {
                // Keep the largest buffers: they serve every smaller request.
                storage.free.sort { $0.capacity > $1.capacity }
                dropped = storage.free[keep...].map(\.pointer)
                storage.free.removeLast(storage.free.count - keep)
            }
            storage.lock.unlock()
            for p in dropped { p.deallocate() }
        }
        return try body(chosen.pointer)
    }
}
