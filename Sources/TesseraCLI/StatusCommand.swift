import ArgumentParser
import TesseraCluster
import TesseraWire

/// `tessera status [JOB]`: one line per job.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the state of jobs.")

    @Argument(help: "Job id (default: all jobs).")
    var job: String?

    @OptionGroup var endpoint: CoordinatorEndpointOption

    func run() throws {
        let records = try endpoint.client().status(jobId: job)
        if records.isEmpty {
            print("no jobs")
            return
        }
        print(pad("JOB", 14) + pad("STATE", 11) + pad("TILES", 13) + pad("DONE", 7) + "INFO")
        for r in records {
            let percent = Int((r.progress * 100).rounded(.down))
            print(pad(r.jobID, 14) + pad(r.state.label, 11) + pad("\(r.tilesDone)/\(r.tilesTotal)", 13)
                + pad("\(percent)%", 7) + r.message)
        }
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

extension WireJobState {
    var label: String {
        switch self {
        case .queued: return "queued"
        case .running: return "running"
        case .done: return "done"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        }
    }
}

extension WireWorkerState {
    var label: String {
        switch self {
        case .idle: return "idle"
        case .busy: return "busy"
        case .draining: return "draining"
        case .lost: return "lost"
        }
    }
}
