import Foundation
import Synchronization

/// Makes finished tiles durable off the coordinator thread.
///
/// Each tile is written with temp file + fsync + rename + directory fsync (see `AtomicFile`). One such write costs
/// ~10 ms on an ordinary disk, which on the coordinator thread would cap the cluster near 100 tiles/s and stall
/// heartbeats; several writer threads let the file system batch the syncs. The coordinator marks a tile done in
/// the job store only after its write is reported here as finished.
final class TileWriteQueue: Sendable {
    struct Request: Sendable {
        var key: TileKey
        var path: String
        var bytes: [UInt8]
        var checksum: UInt64
        var workerId: String
        var attemptRowId: Int64?
        /// Files that belong to the tile (a generation image's parameters text), made durable before the tile
        /// itself so a tile on disk always has them.
        var companions: [(path: String, bytes: [UInt8])] = []
    }

    private let pending = Mutex<[Request]>([])
    private let finished = Mutex<[(Request, ClusterError?)]>([])
    private let inFlight = Atomic<Int>(0)
    private let available = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)

    init(threads: Int = 16) {
        for n in 0..<threads {
            let thread = Thread { [self] in writeLoop() }
            thread.name = "tessera-tile-writer-\(n)"
            thread.start()
        }
    }

    func submit(_ request: Request) {
        inFlight.add(1, ordering: .relaxed)
        pending.withLock { $0.append(request) }
        available.signal()
    }

    /// Writes completed since the last call (errors included).
    func takeFinished() -> [(Request, ClusterError?)] {
        finished.withLock { list in
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
    }

    /// Writes submitted but not yet taken back with `takeFinished`.
    var outstanding: Int { inFlight.load(ordering: .relaxed) }

    func markTaken(_ count: Int) { inFlight.subtract(count, ordering: .relaxed) }

    func shutdown() {
        stopping.store(true, ordering: .relaxed)
        for _ in 0..<64 { available.signal() }
    }

    private func writeLoop() {
        while true {
            available.wait()
            guard let request = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
                if stopping.load(ordering: .relaxed) { return }
                continue
            }
            var failure: ClusterError?
            do {
                for companion in request.companions { try AtomicFile.write(companion.bytes, to: companion.path) }
                try AtomicFile.write(request.bytes, to: request.path)
            } catch {
                failure = (error as? ClusterError) ?? .storeFailure("\(error)")
            }
            finished.withLock { $0.append((request, failure)) }
        }
    }
}
