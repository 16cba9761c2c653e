import Foundation
import Synchronization
import TesseraImaging

/// Keeps a live tile map (`preview.png` in each job's folder) while jobs run: finished tiles drawn from their
/// results, running tiles outlined in their worker's colour.
///
/// Painting and PNG encoding happen on a serial queue of their own, so the coordinator thread only enqueues events;
/// the file is rewritten at most every `interval` seconds per job (and once more when the job ends), atomically, so
/// an image viewer that reloads it never sees half a file. A preview that cannot be written is logged by the
/// caller's logger once and otherwise ignored: it must never slow down or fail a job.
final class JobPreviewQueue: Sendable {
    private struct JobPreview {
        var preview: TileMapPreview
        var folder: JobFolder
        var marks: [Int: TileMapPreview.Mark] = [:]
        var dirty = true
        var lastWrite = -Double.infinity
    }

    private let queue = DispatchQueue(label: "tessera.preview")
    /// Touched only on `queue`.
    private nonisolated(unsafe) var jobs: [String: JobPreview] = [:]
    private nonisolated(unsafe) var workerColours: [String: Int] = [:]
    private let failures = Mutex<[String]>([])
    private let interval: Double
    private let maxSide: Int

    init(interval: Double = 2, maxSide: Int = 1024) {
        self.interval = interval
        self.maxSide = maxSide
    }

    /// Starts a preview for a job whose output is `width` × `height`.
    func begin(jobId: String, folder: JobFolder, width: Int, height: Int) {
        queue.async { [self] in
            guard jobs[jobId] == nil, let preview = try? TileMapPreview(targetWidth: width, targetHeight: height, maxSide: maxSide)
            else { return }
            jobs[jobId] = JobPreview(preview: preview, folder: folder)
        }
    }

    /// A tile went to `workerId`; `rect` is the output area it will own.
    func started(jobId: String, tile: Int, rect: PixelRect, workerId: String) {
        queue.async { [self] in
            guard jobs[jobId] != nil else { return }
            jobs[jobId]?.marks[tile] = TileMapPreview.Mark(rect: rect, state: .running, colour: colour(of: workerId))
            jobs[jobId]?.dirty = true
        }
    }

    /// A tile attempt ended without a result (failed, lost, revoked): its outline goes away.
    func stopped(jobId: String, tile: Int) {
        queue.async { [self] in
            guard jobs[jobId]?.marks[tile]?.state == .running else { return }
            jobs[jobId]?.marks[tile] = nil
            jobs[jobId]?.dirty = true
        }
    }

    /// A tile's result arrived: `pixels` cover `covering`; the part `region` is painted.
    func finished(jobId: String, tile: Int, pixels: RGBAImage, covering: PixelRect, region: PixelRect, workerId: String?) {
        queue.async { [self] in
            guard var job = jobs[jobId] else { return }
            try? job.preview.paint(pixels, covering: covering, region: region)
            let colour = workerId.map { self.colour(of: $0) } ?? -1
            job.marks[tile] = colour >= 0 ? TileMapPreview.Mark(rect: region, state: .done, colour: colour) : nil
            job.dirty = true
            jobs[jobId] = job
        }
    }

    /// Rewrites the previews that changed and are due.
    func flush(now: Double) {
        queue.async { [self] in
            for id in jobs.keys.sorted() where jobs[id]!.dirty && now - jobs[id]!.lastWrite >= interval {
                write(id, now: now)
            }
        }
    }

    /// Writes the job's last preview and forgets it. Outlines of tiles still marked running are dropped: the job
    /// ended (done, failed or cancelled), so nothing is being rendered for it any more.
    func end(jobId: String) {
        queue.async { [self] in
            guard let job = jobs[jobId] else { return }
            jobs[jobId]?.marks = job.marks.filter { $0.value.state == .done }
            write(jobId, now: .infinity)
            jobs[jobId] = nil
        }
    }

    /// Errors since the last call, one line each.
    func takeFailures() -> [String] {
        failures.withLock { list in
            defer { list.removeAll() }
            return list
        }
    }

    /// Waits until every queued event has been handled (tests, shutdown).
    func drain() { queue.sync {} }

    private func colour(of workerId: String) -> Int {
        if let known = workerColours[workerId] { return known }
        let next = workerColours.count
        workerColours[workerId] = next
        return next
    }

    private func write(_ id: String, now: Double) {
        guard let job = jobs[id] else { return }
        let path = JobPreviewQueue.path(in: job.folder)
        let temp = path + ".tmp"
        let marks = job.marks.keys.sorted().compactMap { job.marks[$0] }
        // Finished borders first, running outlines on top so a busy tile is never hidden by a neighbour's border.
        let ordered = marks.filter { $0.state == .done } + marks.filter { $0.state == .running }
        do {
            try job.preview.rendered(marks: ordered).writePNG(to: temp, format: .rgb8, compressionLevel: 1)
            try AtomicFile.commit(temporaryPath: temp, to: path)
        } catch {
            unlink(temp)
            failures.withLock { $0.append("cannot write \(path): \(error)") }
        }
        jobs[id]?.dirty = false
        jobs[id]?.lastWrite = now
    }

    /// `preview.png` in the job folder.
    static func path(in folder: JobFolder) -> String { folder.root + "/preview.png" }
}
