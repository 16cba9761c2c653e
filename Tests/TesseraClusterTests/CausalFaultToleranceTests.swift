import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Causal (USDU) jobs survive crashes like feathered ones: real coordinator and worker processes, killed with SIGKILL.
final class CausalFaultToleranceTests: XCTestCase {
    /// USDU chess redraw plus the half-tile seams fix on 128×96: 4 + 4 tiles with dependencies.
    let spec = USDUUpscaleTests.spec(mode: .usdu, order: .chess, seams: .halfTile)
    let source = USDUUpscaleTests.source

    func testACoordinatorKilledMidJobResumesTheDependencyOrderAndGivesTheSequentialResult() throws {
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (first, endpoints) = try harness.startCoordinator(state: state, log: "coordinator-1.log")
        _ = try (1...2).map {
            try harness.startWorker(
                endpoints.worker, id: "w\($0)", delayMs: 300, extraArguments: ["--checkpoint", DiffusionUpscaleTests.checkpoint, "--model", DiffusionUpscaleTests.controlNet])
        }
        var client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(png: ClusterTestSupport.pngData(source, in: harness.stateDir), spec: spec)
        let reached = ClusterTestSupport.waitFor(120) {
            let record = try? client.status(jobId: job).first
            return Int(record?.tilesDone ?? 0) >= 2
        }
        XCTAssertTrue(reached, harness.log("coordinator-1.log"))
        guard reached else { return }
        harness.kill9(first)
        let doneBeforeCrash = Set(try JobStore(directory: state).tiles(of: job).filter { $0.state == .done }.map(\.index))
        XCTAssertLessThan(doneBeforeCrash.count, 8, "the job should still be unfinished when the coordinator dies")

        let (second, _) = try harness.startCoordinator(
            state: state, worker: endpoints.worker, client: endpoints.client, log: "coordinator-2.log")
        client = try ClusterClient(endpoint: endpoints.client)
        let final = try client.watch(jobId: job, giveUpSeconds: 180) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message + harness.log("coordinator-2.log"))
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "output").rgba8
        XCTAssertEqual(output, try InProcessUpscaler.upscale(source: source, spec: spec))
        harness.terminate(second)
    }

    func testAWorkerKilledMidJobChangesNothingInTheSequentialResult() throws {
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (coordinator, endpoints) = try harness.startCoordinator(state: state, log: "coordinator.log")
        let models = ["--checkpoint", DiffusionUpscaleTests.checkpoint, "--model", DiffusionUpscaleTests.controlNet]
        let workers = try (1...2).map {
            try harness.startWorker(endpoints.worker, id: "w\($0)", delayMs: 400, extraArguments: models)
        }
        let client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(png: ClusterTestSupport.pngData(source, in: harness.stateDir), spec: spec)
        // Kill w1 while it holds a tile of the running job, after the first tiles are in.
        let busy = ClusterTestSupport.waitFor(120) {
            guard let record = try? client.workers().first(where: { $0.workerID == "w1" }) else { return false }
            return record.tilesDone >= 1 && record.jobID == job
        }
        XCTAssertTrue(busy, "w1 never held a tile: \(harness.log("coordinator.log"))")
        guard busy else { return }
        harness.kill9(workers[0])

        let final = try client.watch(jobId: job, giveUpSeconds: 180) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message + harness.log("coordinator.log"))
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "output").rgba8
        XCTAssertEqual(output, try InProcessUpscaler.upscale(source: source, spec: spec), "a lost tile is redrawn from the same canvas")
        harness.terminate(coordinator)
        let attempts = try JobStore(directory: state).attempts(of: job)
        XCTAssertTrue(attempts.contains { $0.workerId == "w1" && $0.outcome != "done" },
                      "the killed worker's tile should have been re-queued: \(attempts.map { "\($0.workerId):\($0.outcome ?? "-")" })")
    }
}
