import Dispatch
import Foundation

/// Splits loops across every core.
///
/// Tessera runs OpenBLAS single-threaded (see `BLAS`) and does all parallelism here, so the
/// two never compete for the same cores.
public enum Parallel {
    /// Number of cores used for parallel loops.
    public static let coreCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the cores.
    ///
    /// Iterations are grouped into contiguous chunks so tiny per-item work does not pay a dispatch each.
    public static func forEach(_ count: Int, minimumChunk: Int = 1, _ body: (Int) -> Void) {
        if count <= 0 { return }
        let chunk = max(minimumChunk, (count + coreCount * 4 - 1) / (coreCount * 4))
        let chunks = (count + chunk - 1) / chunk
        if chunks <= 1 || coreCount == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = c * chunk
                let end = min(count, start + chunk)
                for i in start..<end { box.value(i) }
            }
        }
    }

    /// Calls `body(range)` on contiguous ranges covering `0..<count`, one range per work unit,
    /// at most `parts` units (default: one per core).
    public static func forRanges(_ count: Int, parts: Int = Parallel.coreCount, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let n = max(1, min(parts, count))
        if n == 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: n) { p in
                let start = count * p / n
                let end = count * (p + 1) / n
                if start < end { box.value(start..<end) }
            }
        }
    }
}

/// Carries a loop body into `concurrentPerform`'s `@Sendable` closure.
///
/// Safe by construction of the callers: every iteration writes a disjoint part of the output and
/// `concurrentPerform` returns only after all iterations finished, so nothing outlives the call.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
