import Foundation
import Synchronization
import TesseraImaging
import TesseraWire
import TesseraZMQ

/// One tile waiting for or being rendered.
struct RenderItem: Sendable {
    var ref: TileRef
    var work: TileWork
    var reporter: TileProgressReporter
}

/// Render threads fed from a queue. Results go back to the socket thread as already-encoded messages through the
/// mailbox, so LZ4 compression happens here and the socket thread only forwards frames.
final class RenderPool: Sendable {
    /// First frame of every mailbox message.
    enum Kind: UInt8 {
        /// The remaining frames are an encoded message to forward to the coordinator.
        case forward = 1
        /// A tile left the pool (rendered, failed or cancelled); frame 1 is "jobID\ntileID".
        case slotFreed = 2
    }

    private let queue = Mutex<[RenderItem]>([])
    private let running = Mutex<[TileRef: TileProgressReporter]>([:])
    private let available = DispatchSemaphore(value: 0)
    private let renderer: any WorkerTileRenderer
    private let poster: MailboxPoster
    private let onRendered: @Sendable (Bool) -> Void
    private let stopping = Atomic<Bool>(false)

    init(threads: Int, renderer: any WorkerTileRenderer, poster: MailboxPoster, onRendered: @escaping @Sendable (Bool) -> Void) {
        self.renderer = renderer
        self.poster = poster
        self.onRendered = onRendered
        for n in 0..<threads {
            let thread = Thread { [self] in renderLoop() }
            thread.name = "tessera-render-\(n)"
            thread.start()
        }
    }

    func submit(_ item: RenderItem) {
        queue.withLock { $0.append(item) }
        available.signal()
    }

    /// Removes queued (not started) tiles matching `predicate` and cancels running ones; returns the removed ones.
    func revoke(where predicate: (TileRef) -> Bool) -> [RenderItem] {
        let removed = queue.withLock { items -> [RenderItem] in
            let out = items.filter { predicate($0.ref) }
            items.removeAll { predicate($0.ref) }
            return out
        }
        running.withLock { for (ref, reporter) in $0 where predicate(ref) { reporter.cancel() } }
        return removed
    }

    /// Tiles currently rendering.
    var runningTiles: [TileRef] { running.withLock { Array($0.keys) } }

    func shutdown() {
        stopping.store(true, ordering: .relaxed)
        for _ in 0..<64 { available.signal() }
    }

    private func renderLoop() {
        while true {
            available.wait()
            if stopping.load(ordering: .relaxed) { return }
            guard let item = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            running.withLock { $0[item.ref] = item.reporter }
            let started = Date()
            let message: Message
            var success = false
            do {
                let rendered = try renderer.renderTile(item.work, progress: item.reporter)
                let tile = rendered.image
                let rect = item.work.renderRect
                guard tile.width == rect.width, tile.height == rect.height else {
                    throw TileRenderError.failed(
                        "renderer returned \(tile.width)×\(tile.height) for a \(rect.width)×\(rect.height) tile")
                }
                let ms = UInt32(clamping: Int(Date().timeIntervalSince(started) * 1000))
                message = .result(TileResult(
                    tile: item.ref, renderMilliseconds: ms,
                    payloads: [.image(.result, format: .rgba8, width: tile.width, height: tile.height,
                        pixels: Data(tile.pixels))]
                        + (rendered.parameters.map { [.opaque(.result, bytes: Data($0.utf8))] } ?? [])))
                success = true
            } catch let error as TileRenderError {
                let code: WireErrorCode
                switch error {
                case .invalidParameters: code = .invalidParameters
                case .modelNotFound: code = .modelNotFound
                case .cancelled: code = .cancelled
                case .failed: code = .renderFailed
                }
                message = .failed(TileFailure(
                    tile: item.ref, code: code, retryable: !error.isFatal, message: error.description))
            } catch {
                message = .failed(TileFailure(tile: item.ref, code: .renderFailed, retryable: true, message: "\(error)"))
            }
            running.withLock { $0[item.ref] = nil }
            onRendered(success)
            post(message)
            postSlotFreed(item.ref)
        }
    }

    func post(_ message: Message) {
        guard let frames = try? message.encode() else { return }
        postFrames([Data([Kind.forward.rawValue])] + frames)
    }

    func postSlotFreed(_ ref: TileRef) {
        postFrames([Data([Kind.slotFreed.rawValue]), Data("\(ref.jobID)\n\(ref.tileID)".utf8)])
    }

    private func postFrames(_ frames: [Data]) {
        // The mailbox only refuses when full (10,000 messages); wait rather than lose a result.
        while (try? poster.post(frames)) == false { usleep(1_000) }
    }
}
