import ArgumentParser
import Foundation
import TesseraCluster

/// `tessera fetch JOB -o OUT.png`: downloads a finished job's image.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fetch", abstract: "Download a finished job's PNG.")

    @Argument(help: "Job id.")
    var job: String

    @Option(name: .shortAndLong, help: "Where to write the PNG.")
    var output: String

    @OptionGroup var endpoint: CoordinatorEndpointOption

    func run() throws {
        let bytes = try endpoint.client().fetch(jobId: job)
        do { try AtomicFile.write([UInt8](bytes), to: output) } catch { throw CommandFailure("\(output): \(error)") }
        print("Wrote \(output) (\(bytes.count) bytes)")
    }
}
