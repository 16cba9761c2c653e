import ArgumentParser
import Foundation
import TesseraCluster
import TesseraTerminal
import TesseraWire

/// `tessera watch JOB`: a live progress bar (tiles done/total, ETA, per-worker rate) until the job ends.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Follow a job with a progress bar.")

    @Argument(help: "Job id.")
    var job: String

    @OptionGroup var endpoint: CoordinatorEndpointOption

    func run() throws {
        let client = try endpoint.client()
        guard let first = try client.status(jobId: job).first else { throw CommandFailure("unknown job \(job)") }
        let bar = ProgressBar.onStandardError(total: Int(first.tilesTotal), label: job)
        var rates = WorkerRateTracker()
        let final = try client.watch(jobId: job) { record, workers in
            if let workers { rates.record(workers, at: monotonicSeconds()) }
            bar.update(completed: Int(record.tilesDone), detail: rates.summary)
        }
        bar.finish(completed: Int(final.tilesDone), detail: final.state.label)
        switch final.state {
        case .done: print("\(job) done")
        case .failed: throw CommandFailure("job \(job) failed: \(final.message)")
        default: throw CommandFailure("job \(job) was cancelled")
        }
    }
}

/// Tiles per second per worker, from successive worker lists.
struct WorkerRateTracker {
    private var first: [String: (time: Double, done: UInt64)] = [:]
    private var latest: [String: (time: Double, done: UInt64)] = [:]

    mutating func record(_ workers: [WorkerRecord], at time: Double) {
        for w in workers {
            if first[w.workerID] == nil { first[w.workerID] = (time, w.tilesDone) }
            latest[w.workerID] = (time, w.tilesDone)
        }
    }

    var summary: String {
        latest.keys.sorted().compactMap { id -> String? in
            guard let a = first[id], let b = latest[id], b.time > a.time else { return nil }
            return "\(id) \(formatRate(Double(b.done - a.done) / (b.time - a.time)))/s"
        }.joined(separator: ", ")
    }
}
