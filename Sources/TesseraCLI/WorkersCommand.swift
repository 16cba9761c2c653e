import ArgumentParser
import TesseraCluster

/// `tessera workers`: the workers connected to the coordinator.
struct WorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "List connected workers.")

    @OptionGroup var endpoint: CoordinatorEndpointOption

    func run() throws {
        let workers = try endpoint.client().workers()
        if workers.isEmpty {
            print("no workers")
            return
        }
        print(pad("WORKER", 28) + pad("STATE", 10) + pad("THREADS", 9) + pad("TILES", 8) + "CURRENT")
        for w in workers {
            let current = w.jobID.isEmpty ? "-" : "\(w.jobID)#\(w.tileID)"
            print(pad(w.workerID, 28) + pad(w.state.label, 10) + pad("\(w.threads)", 9) + pad("\(w.tilesDone)", 8)
                + current)
        }
    }
}
