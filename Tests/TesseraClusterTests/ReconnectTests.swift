import Foundation
import XCTest
@testable import TesseraCluster

final class ReconnectTests: XCTestCase {
    func testAWorkerKeepsRetryingWithGrowingBackOffAndRegistersWhenTheCoordinatorAppears() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        // Learn a free port by binding once, then stop that coordinator.
        let probe = Coordinator(config: ClusterTestSupport.config(stateDir: dir + "/probe"), logger: ClusterTestSupport.quietLogger)
        let ports = try probe.start()
        probe.requestStop()
        probe.waitUntilStopped()

        var options = WorkerOptions(coordinator: ports.worker, threads: 1, workerId: "patient")
        options.backoffInitial = 0.05
        options.backoffMax = 0.4
        options.heartbeatMs = 100
        options.liveness = 2
        let worker = Worker(options: options, renderer: ClassicalTileRenderer(), logger: ClusterTestSupport.quietLogger)
        worker.start()
        defer { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 10) }
        // Silence detection after 0.2 s, then waits of 0.05, 0.1, 0.2, 0.4, 0.4 … s.
        XCTAssertTrue(ClusterTestSupport.waitFor(10) { worker.counters.reconnects >= 4 })
        XCTAssertEqual(worker.counters.registrations, 0)

        var config = ClusterTestSupport.config(stateDir: dir + "/state")
        config.workerEndpoint = ports.worker
        config.clientEndpoint = ports.client
        let coordinator = Coordinator(config: config, logger: ClusterTestSupport.quietLogger)
        try coordinator.start()
        XCTAssertTrue(ClusterTestSupport.waitFor(10) { worker.counters.registrations == 1 }, "worker never registered")

        // The coordinator goes away and comes back on the same endpoints: the worker registers again by itself.
        coordinator.requestStop()
        coordinator.waitUntilStopped()
        let again = Coordinator(config: config, logger: ClusterTestSupport.quietLogger)
        try again.start()
        defer { again.requestStop(); again.waitUntilStopped() }
        XCTAssertTrue(ClusterTestSupport.waitFor(10) { worker.counters.registrations == 2 }, "worker did not re-register")
        let client = try ClusterClient(endpoint: ports.client)
        XCTAssertEqual(try client.workers().map(\.workerID), ["patient"])
    }
}
