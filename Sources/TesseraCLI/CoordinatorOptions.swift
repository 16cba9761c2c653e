import ArgumentParser
import TesseraCluster

/// `--coordinator`, shared by the client subcommands.
struct CoordinatorEndpointOption: ParsableArguments {
    @Option(
        name: .long,
        help: "Coordinator client endpoint (default: $TESSERA_COORDINATOR, else tcp://127.0.0.1:5556).")
    var coordinator: String?

    @Option(name: .long, help: "Seconds to wait for the coordinator's answer.")
    var timeout: Double = 10

    func client() throws -> ClusterClient {
        try ClusterClient(endpoint: ClusterClient.resolveEndpoint(coordinator), timeoutSeconds: timeout)
    }
}
