import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Distributed tiled diffusion with real worker processes, one of them killed with SIGKILL mid-job.
final class TiledDiffusionFaultToleranceTests: XCTestCase {
    func testKillingAWorkerMidJobChangesNothingInTheOutput() throws {
        let expected = try DistributedTiledDiffusionTests.reference.get()
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (coordinatorProcess, endpoints) = try harness.startCoordinator(state: state)
        let workers = try (1...3).map { n in
            try harness.spawn(
                ["worker", "--connect", endpoints.worker, "--id", "w\(n)", "--threads", "1",
                 "--checkpoint", DistributedTiledDiffusionTests.checkpoint, "--model", DiffusionUpscaleTests.controlNet, "--render-delay-ms", "300", "--log-level", "debug"],
                log: "w\(n).log")
        }
        let client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(
            png: ClusterTestSupport.pngData(DistributedTiledDiffusionTests.source, in: harness.stateDir),
            spec: DistributedTiledDiffusionTests.spec())
        // Kill w1 once it has finished a few latent tiles and holds another one.
        let busy = ClusterTestSupport.waitFor(300) {
            guard let record = try? client.workers().first(where: { $0.workerID == "w1" }) else { return false }
            return record.tilesDone >= 3 && !record.jobID.isEmpty
        }
        XCTAssertTrue(busy, "w1 never got latent tiles: \(harness.log("coordinator.log"))")
        harness.kill9(workers[0])

        let final = try client.watch(jobId: job, giveUpSeconds: 600) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message + harness.log("coordinator.log"))
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "output").rgba8
        XCTAssertEqual(output, expected, "output differs from the in-process run")

        harness.terminate(coordinatorProcess)
        let store = try JobStore(directory: state)
        let stages = Array(0...40) + [LatentStageKey.decodeStage]
        let attempts = try stages.flatMap { try store.attempts(of: LatentStageKey.schedulerJobId(job, stage: $0)) }
        XCTAssertTrue(
            attempts.contains { $0.workerId == "w1" && $0.outcome == "failed" },
            "the killed worker's latent tile should have been re-queued: \(attempts.map { "\($0.workerId):\($0.outcome ?? "-")" })")
    }

    func testACoordinatorKilledMidJobRestartsTheSamplingAndGivesTheSameImage() throws {
        let expected = try DistributedTiledDiffusionTests.reference.get()
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (first, endpoints) = try harness.startCoordinator(state: state, log: "coordinator-1.log")
        for n in 1...2 {
            try harness.spawn(
                ["worker", "--connect", endpoints.worker, "--id", "w\(n)", "--threads", "1",
                 "--checkpoint", DistributedTiledDiffusionTests.checkpoint, "--model", DiffusionUpscaleTests.controlNet, "--render-delay-ms", "150"],
                log: "w\(n).log")
        }
        var client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(
            png: ClusterTestSupport.pngData(DistributedTiledDiffusionTests.source, in: harness.stateDir),
            spec: DistributedTiledDiffusionTests.spec())
        let started = ClusterTestSupport.waitFor(300) {
            ((try? client.workers()) ?? []).reduce(0) { $0 + Int($1.tilesDone) } >= 4
        }
        XCTAssertTrue(started, "no latent tiles were rendered: \(harness.log("coordinator-1.log"))")
        harness.kill9(first)

        let (second, _) = try harness.startCoordinator(
            state: state, worker: endpoints.worker, client: endpoints.client, log: "coordinator-2.log")
        client = try ClusterClient(endpoint: endpoints.client)
        let final = try client.watch(jobId: job, giveUpSeconds: 600) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message + harness.log("coordinator-2.log"))
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "output").rgba8
        XCTAssertEqual(output, expected, "output after the restart differs from the in-process run")
        harness.terminate(second)
    }
}
