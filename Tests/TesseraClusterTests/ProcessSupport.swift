import Foundation
import XCTest
@testable import TesseraCluster

#if canImport(Glibc)
import Glibc
#endif

/// Starts the built `tessera` executable as real OS processes for end-to-end tests, and kills them all at the end
/// of the test, whatever happens.
final class ProcessHarness {
    let stateDir: String
    private(set) var processes: [Process] = []
    private let logDir: String

    init(_ test: XCTestCase) {
        stateDir = ClusterTestSupport.temporaryDirectory(test, "proc")
        logDir = stateDir + "/logs"
        try? FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        test.addTeardownBlock { [self] in killAll() }
    }

    /// The `tessera` binary built next to this test bundle (`swift build` puts products and tests in one dir).
    static func tesseraBinary() throws -> String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tessera").path,
            Bundle(for: ProcessHarness.self).bundleURL.deletingLastPathComponent().appendingPathComponent("tessera").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tessera").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ClusterError.processFailure(
                "the tessera executable is not built next to the tests (looked in \(candidates[0])); run `swift build` first")
        }
        return found
    }

    @discardableResult
    func spawn(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.tesseraBinary())
        process.arguments = arguments
        // Children die with the test runner even if it crashes or is killed.
        var environment = ProcessInfo.processInfo.environment
        environment[ParentDeathWatch.environmentKey] = "\(getpid())"
        process.environment = environment
        let path = logDir + "/" + log
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    /// Starts a coordinator on `state` and waits for its endpoints (ephemeral ports unless given).
    func startCoordinator(state: String, worker: String = "tcp://127.0.0.1:*", client: String = "tcp://127.0.0.1:*",
        log: String = "coordinator.log") throws -> (Process, CoordinatorEndpoints)
    {
        try? FileManager.default.removeItem(atPath: CoordinatorEndpoints.path(stateDir: state))
        let process = try spawn(
            ["coordinator", "--state-dir", state, "--worker-endpoint", worker, "--client-endpoint", client,
             "--heartbeat-ms", "200"], log: log)
        var endpoints: CoordinatorEndpoints?
        let started = ClusterTestSupport.waitFor(15) {
            endpoints = CoordinatorEndpoints.read(stateDir: state)
            return endpoints?.pid == process.processIdentifier
        }
        guard started, let endpoints else {
            throw ClusterError.processFailure("coordinator did not start: \(self.log(log))")
        }
        return (process, endpoints)
    }

    func startWorker(
        _ endpoint: String, id: String, delayMs: Int, threads: Int = 1, extraArguments: [String] = []
    ) throws -> Process {
        try spawn(
            ["worker", "--connect", endpoint, "--id", id, "--threads", "\(threads)", "--render-delay-ms", "\(delayMs)",
             "--log-level", "debug"] + extraArguments, log: "\(id).log")
    }

    func kill9(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate(_ process: Process, timeout: Double = 10) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !ClusterTestSupport.waitFor(timeout, { !process.isRunning }) { kill9(process) }
    }

    func killAll() {
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: logDir + "/" + name, encoding: .utf8)) ?? "(no log)"
    }
}
