import ArgumentParser
import Foundation
import Logging
import TesseraCluster

/// `tessera coordinator --config coordinator/coordinator.toml`: serves jobs until SIGINT/SIGTERM.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Run the coordinator (job queue, tile dispatch, job store).")

    @Option(name: .long, help: "TOML configuration file (see coordinator/coordinator.toml).")
    var config: String?

    @Option(name: .customLong("state-dir"), help: "Overrides coordinator.state_dir.")
    var stateDir: String?

    @Option(name: .customLong("worker-endpoint"), help: "Overrides coordinator.worker_endpoint.")
    var workerEndpoint: String?

    @Option(name: .customLong("client-endpoint"), help: "Overrides coordinator.client_endpoint.")
    var clientEndpoint: String?

    @Option(name: .customLong("heartbeat-ms"), help: "Overrides coordinator.heartbeat_ms.")
    var heartbeatMs: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() throws {
        var settings = try config.map { try CoordinatorConfig.load(path: $0) } ?? CoordinatorConfig()
        if let stateDir { settings.stateDir = stateDir }
        if let workerEndpoint { settings.workerEndpoint = workerEndpoint }
        if let clientEndpoint { settings.clientEndpoint = clientEndpoint }
        if let heartbeatMs { settings.heartbeatMs = heartbeatMs }
        try settings.validate(path: config ?? "command line")
        let coordinator = Coordinator(config: settings, logger: CLILogging.logger("tessera.coordinator", level: logLevel))
        let signals = SignalWatcher { _ in coordinator.requestStop() }
        defer { signals.cancel() }
        ParentDeathWatch.armIfRequested { coordinator.requestStop() }
        try coordinator.run()
    }
}
