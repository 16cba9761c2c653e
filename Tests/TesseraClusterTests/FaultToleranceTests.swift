import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Real coordinator and worker processes on loopback, killed with SIGKILL mid-job.
final class FaultToleranceTests: XCTestCase {
    /// 160×120 at 2× with 64-pixel tiles: 5 × 4 = 20 tiles.
    let spec = UpscaleJobSpec(upscaler: "lanczos", scale: 2, tileWidth: 64, padding: 8, order: .linear)

    private func reference(_ source: RGBAImage) throws -> RGBAImage {
        try InProcessUpscaler.upscale(source: source, spec: spec)
    }

    private func waitForTiles(_ client: ClusterClient, _ job: String, atLeast n: Int, timeout: Double = 30) throws {
        let ok = ClusterTestSupport.waitFor(timeout) {
            let record = try? client.status(jobId: job).first
            return Int(record?.tilesDone ?? 0) >= n
        }
        XCTAssertTrue(ok, "job \(job) did not reach \(n) tiles")
    }

    func testKillingAWorkerMidJobStillCompletesWithTheOneWorkerOutput() throws {
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (coordinatorProcess, endpoints) = try harness.startCoordinator(state: state)
        let workers = try (1...3).map { try harness.startWorker(endpoints.worker, id: "w\($0)", delayMs: 250) }
        let source = ClusterTestSupport.testImage(width: 160, height: 120)
        let client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(png: ClusterTestSupport.pngData(source, in: harness.stateDir), spec: spec)
        try waitForTiles(client, job, atLeast: 3)
        // Kill w1 while it holds a tile (its record names the tile from dispatch until its result arrives).
        _ = ClusterTestSupport.waitFor(5) {
            (try? client.workers().first { $0.workerID == "w1" }?.jobID.isEmpty == false) ?? false
        }
        harness.kill9(workers[0])

        let final = try client.watch(jobId: job, giveUpSeconds: 60) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message + harness.log("coordinator.log"))
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "output").rgba8
        XCTAssertEqual(output, try reference(source), "output differs from the single-worker result")

        harness.terminate(coordinatorProcess)
        let attempts = try JobStore(directory: state).attempts(of: job)
        XCTAssertTrue(
            attempts.contains { $0.workerId == "w1" && $0.outcome == "failed" },
            "the killed worker's tile should have been re-queued: \(attempts.map { "\($0.workerId):\($0.outcome ?? "-")" })")
        XCTAssertEqual(Set(attempts.filter { $0.outcome == "done" }.map(\.index)).count, 20)
    }

    func testKillingTheCoordinatorMidJobResumesWithoutRerenderingFinishedTiles() throws {
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (first, endpoints) = try harness.startCoordinator(state: state, log: "coordinator-1.log")
        _ = try (1...2).map { try harness.startWorker(endpoints.worker, id: "w\($0)", delayMs: 200) }
        let source = ClusterTestSupport.testImage(width: 160, height: 120)
        var client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(png: ClusterTestSupport.pngData(source, in: harness.stateDir), spec: spec)
        try waitForTiles(client, job, atLeast: 5)
        harness.kill9(first)

        let doneBeforeCrash = Set(try JobStore(directory: state).tiles(of: job).filter { $0.state == .done }.map(\.index))
        XCTAssertGreaterThanOrEqual(doneBeforeCrash.count, 5)
        XCTAssertLessThan(doneBeforeCrash.count, 20, "the job should still be unfinished when the coordinator dies")
        let restartedAt = Date().timeIntervalSince1970

        let (second, _) = try harness.startCoordinator(
            state: state, worker: endpoints.worker, client: endpoints.client, log: "coordinator-2.log")
        client = try ClusterClient(endpoint: endpoints.client)
        let final = try client.watch(jobId: job, giveUpSeconds: 60) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message + harness.log("coordinator-2.log"))
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "output").rgba8
        XCTAssertEqual(output, try reference(source))

        harness.terminate(second)
        let attempts = try JobStore(directory: state).attempts(of: job)
        let rerendered = attempts.filter { doneBeforeCrash.contains($0.index) && $0.startedAt >= restartedAt }
        XCTAssertEqual(rerendered.count, 0, "finished tiles were dispatched again after the restart")
        XCTAssertTrue(attempts.contains { $0.startedAt >= restartedAt }, "the rest of the job ran after the restart")
    }
}
