import ArgumentParser
import TesseraCluster

/// `tessera cancel JOB`.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a queued or running job.")

    @Argument(help: "Job id.")
    var job: String

    @OptionGroup var endpoint: CoordinatorEndpointOption

    func run() throws {
        try endpoint.client().cancel(jobId: job)
        print("cancelled \(job)")
    }
}
