import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `tessera coordinator` and `tessera worker` stop cleanly on SIGTERM/SIGINT.
final class ServiceShutdownTests: XCTestCase {
    func testCoordinatorAndWorkerExitCleanlyOnSignals() throws {
        let dir = CLIHarness.temporaryDirectory(self)
        let state = dir + "/state"
        let (coordinator, _, coordinatorLog) = try CLIHarness.start(
            ["coordinator", "--state-dir", state, "--worker-endpoint", "tcp://127.0.0.1:*", "--client-endpoint",
             "tcp://127.0.0.1:*"], in: dir)
        defer { if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL) } }
        var workerEndpoint = ""
        XCTAssertTrue(ClusterWait.until(15) {
            guard let data = FileManager.default.contents(atPath: state + "/endpoints.json"),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return false }
            workerEndpoint = json["worker"] as? String ?? ""
            return true
        })
        let (worker, _, workerLog) = try CLIHarness.start(["worker", "--connect", workerEndpoint, "--id", "sig-w"], in: dir)
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        XCTAssertTrue(ClusterWait.until(15) {
            ((try? String(contentsOfFile: workerLog, encoding: .utf8)) ?? "").contains("registered with")
        })

        kill(worker.processIdentifier, SIGTERM)
        XCTAssertTrue(ClusterWait.until(10) { !worker.isRunning }, "worker ignored SIGTERM")
        worker.waitUntilExit()
        XCTAssertEqual(worker.terminationStatus, 0)
        XCTAssertTrue(try String(contentsOfFile: workerLog, encoding: .utf8).contains("worker sig-w stopped"))

        kill(coordinator.processIdentifier, SIGINT)
        XCTAssertTrue(ClusterWait.until(10) { !coordinator.isRunning }, "coordinator ignored SIGINT")
        coordinator.waitUntilExit()
        XCTAssertEqual(coordinator.terminationStatus, 0)
        let log = try String(contentsOfFile: coordinatorLog, encoding: .utf8)
        XCTAssertTrue(log.contains("worker sig-w disconnected"), log)
        XCTAssertTrue(log.contains("coordinator stopped"), log)
    }
}
