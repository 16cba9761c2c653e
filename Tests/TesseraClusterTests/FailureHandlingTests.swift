import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// A renderer that fails in a chosen way, wrapping the real one otherwise.
private struct MisbehavingRenderer: WorkerTileRenderer {
    enum Mode: Sendable { case fatal, alwaysFails, stallsWithoutProgress(seconds: Double), computesWithoutProgress(seconds: Double) }
    let mode: Mode
    var names: [String] { ClassicalUpscaler.names }
    var models: [AdvertisedModel] { [] }
    func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        switch mode {
        case .fatal: throw TileRenderError.invalidParameters("tile_width 7 is not a multiple of 8")
        case .alwaysFails: throw TileRenderError.failed("simulated GPU hiccup")
        case .stallsWithoutProgress(let seconds):
            usleep(UInt32(seconds * 1_000_000))
            return try ClassicalTileRenderer().render(work, progress: TileProgressReporter())
        case .computesWithoutProgress(let seconds):
            // Like a long VAE pass: busy, but no progress report until the end.
            let end = Date().addingTimeInterval(seconds)
            var x = 1.0
            while Date() < end { for _ in 0..<10_000 { x = (x * 1.000001).truncatingRemainder(dividingBy: 7) + 1e-9 } }
            XCTAssertTrue(x.isFinite)
            return try ClassicalTileRenderer().render(work, progress: progress)
        }
    }
}

final class FailureHandlingTests: XCTestCase {
    private var dir = ""
    private var coordinator: Coordinator!
    private var endpoints: CoordinatorEndpoints!
    private var workers: [Worker] = []

    private func startCoordinator(leaseMs: Int = 10_000) throws {
        dir = ClusterTestSupport.temporaryDirectory(self)
        var config = ClusterTestSupport.config(stateDir: dir + "/state")
        config.leaseBaseMs = leaseMs
        config.leasePerMegapixelMs = 0
        coordinator = Coordinator(config: config, logger: ClusterTestSupport.quietLogger)
        endpoints = try coordinator.start()
        addTeardownBlock { [self] in
            workers.forEach { $0.requestStop() }
            workers.forEach { $0.waitUntilStopped(timeoutSeconds: 10) }
            coordinator.requestStop()
            coordinator.waitUntilStopped()
        }
    }

    @discardableResult
    private func startWorker(_ id: String, _ renderer: any WorkerTileRenderer, drainSeconds: Double = 30) -> Worker {
        var options = WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: id)
        options.drainTimeoutSeconds = drainSeconds
        let worker = Worker(options: options, renderer: renderer, logger: ClusterTestSupport.quietLogger)
        worker.start()
        workers.append(worker)
        return worker
    }

    private func submit(width: Int = 40, height: Int = 30, tile: Int = 32) throws -> (ClusterClient, String, RGBAImage) {
        let client = try ClusterClient(endpoint: endpoints.client)
        let source = ClusterTestSupport.testImage(width: width, height: height)
        let id = try client.submit(
            png: ClusterTestSupport.pngData(source, in: dir), spec: UpscaleJobSpec(scale: 2, tileWidth: tile, padding: 4))
        return (client, id, source)
    }

    func testAFatalRenderErrorFailsTheJobAtOnceWithTheReason() throws {
        try startCoordinator()
        startWorker("broken", MisbehavingRenderer(mode: .fatal))
        let (client, job, _) = try submit()
        let final = try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }
        XCTAssertEqual(final.state, .failed)
        XCTAssertTrue(final.message.contains("invalid parameters: tile_width 7 is not a multiple of 8"), final.message)
        XCTAssertThrowsError(try client.fetch(jobId: job)) { XCTAssertTrue("\($0)".contains("failed"), "\($0)") }
    }

    func testAFlakyWorkerIsBlocklistedAndItsTilesRetriedElsewhere() throws {
        try startCoordinator()
        startWorker("flaky", MisbehavingRenderer(mode: .alwaysFails))
        let (client, job, source) = try submit()
        // Let the flaky worker burn through its three failures before a good worker shows up.
        XCTAssertTrue(ClusterTestSupport.waitFor(10) { self.coordinator.counters.tilesRequeued >= 3 })
        XCTAssertTrue(ClusterTestSupport.waitFor(5) {
            (try? client.status(jobId: job).first?.message.contains("waiting for a worker that is not blocklisted for this job (flaky")) == true
        }, "the job's status says why it is not moving: \(String(describing: try? client.status(jobId: job).first?.message))")
        startWorker("good", ClassicalTileRenderer())
        let final = try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "out").rgba8
        XCTAssertEqual(output, try InProcessUpscaler.upscale(
            source: source, spec: UpscaleJobSpec(scale: 2, tileWidth: 32, padding: 4)))
        let store = try JobStore(directory: dir + "/state")
        XCTAssertEqual(try store.blocklist(of: job), ["flaky"])
        XCTAssertEqual(try store.attempts(of: job).filter { $0.workerId == "flaky" }.count, 3)
    }

    func testATileThatFailsThreeTimesFailsTheJob() throws {
        try startCoordinator()
        for n in 1...3 { startWorker("bad\(n)", MisbehavingRenderer(mode: .alwaysFails)) }
        let (client, job, _) = try submit(width: 10, height: 10, tile: 32)  // one tile
        let final = try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }
        XCTAssertEqual(final.state, .failed)
        XCTAssertTrue(final.message.contains("tile 0 failed 3 times"), final.message)
        let attempts = try JobStore(directory: dir + "/state").attempts(of: job)
        XCTAssertEqual(Set(attempts.map(\.workerId)).count, 3, "each retry should go to a different worker")
    }

    func testAnExpiredLeaseSendsTheTileElsewhereAndTheLateResultIsADuplicate() throws {
        try startCoordinator(leaseMs: 300)
        startWorker("stuck", MisbehavingRenderer(mode: .stallsWithoutProgress(seconds: 1.5)))
        let (client, job, _) = try submit(width: 10, height: 10, tile: 32)  // one tile
        XCTAssertTrue(ClusterTestSupport.waitFor(5) { self.coordinator.counters.tilesRequeued >= 1 }, "lease never expired")
        startWorker("fast", ClassicalTileRenderer())
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        XCTAssertTrue(ClusterTestSupport.waitFor(5) { self.coordinator.counters.duplicateResults == 1 })
        XCTAssertEqual(coordinator.counters.duplicateMismatches, 0)
    }

    func testProgressReportsKeepALongTileLeased() throws {
        try startCoordinator(leaseMs: 300)
        startWorker("slow", DelayedTileRenderer(ClassicalTileRenderer(), delayMilliseconds: 1200))
        let (client, job, _) = try submit(width: 10, height: 10, tile: 32)
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        XCTAssertEqual(coordinator.counters.tilesRequeued, 0, "PROGRESS should have renewed the 300 ms lease")
    }

    func testARendererThatComputesWithoutReportingKeepsItsLeaseWhileOneThatHangsLosesIt() throws {
        try startCoordinator(leaseMs: 300)
        startWorker("busy", MisbehavingRenderer(mode: .computesWithoutProgress(seconds: 1.5)))
        let (client, job, _) = try submit(width: 10, height: 10, tile: 32)
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        XCTAssertEqual(coordinator.counters.tilesRequeued, 0, "the worker should renew the lease of a tile it is computing")
        // The hanging case is `testAnExpiredLeaseSendsTheTileElsewhereAndTheLateResultIsADuplicate`.
    }

    func testCancellingAJobStopsItAndFreesTheWorkers() throws {
        try startCoordinator()
        startWorker("w", DelayedTileRenderer(ClassicalTileRenderer(), delayMilliseconds: 300))
        let (client, job, _) = try submit(width: 80, height: 60)
        XCTAssertTrue(ClusterTestSupport.waitFor(10) { (try? client.status(jobId: job).first?.state) == .running })
        try client.cancel(jobId: job)
        XCTAssertEqual(try client.status(jobId: job).first?.state, .cancelled)
        XCTAssertThrowsError(try client.cancel(jobId: job)) { XCTAssertTrue("\($0)".contains("already cancelled"), "\($0)") }
        XCTAssertThrowsError(try client.cancel(jobId: "nope")) { XCTAssertEqual("\($0)", "unknown job nope") }
        // The worker is free again: a new job completes.
        let (_, next, _) = try submit(width: 10, height: 10)
        XCTAssertEqual(try client.watch(jobId: next, giveUpSeconds: 20) { _, _ in }.state, .done)
    }

    func testADrainingWorkerHandsBackItsTileAndAnotherFinishesTheJob() throws {
        try startCoordinator()
        let leaving = startWorker("leaving", DelayedTileRenderer(ClassicalTileRenderer(), delayMilliseconds: 5000), drainSeconds: 0.2)
        let (client, job, _) = try submit(width: 10, height: 10)
        XCTAssertTrue(ClusterTestSupport.waitFor(10) { (try? client.status(jobId: job).first?.tilesRunning) == 1 })
        leaving.requestStop()
        leaving.waitUntilStopped(timeoutSeconds: 5)
        XCTAssertTrue(leaving.isStopped)
        XCTAssertEqual(leaving.counters.tilesHandedBack, 1)
        startWorker("staying", ClassicalTileRenderer())
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        let attempts = try JobStore(directory: dir + "/state").attempts(of: job)
        XCTAssertEqual(attempts.first?.outcome, "released", "a hand-back is not a failure")
    }

    func testOutputIsIdenticalWithOneTwoOrFourWorkers() throws {
        try startCoordinator()
        let source = ClusterTestSupport.testImage(width: 100, height: 64)
        let spec = UpscaleJobSpec(upscaler: "bicubic", scale: 3, tileWidth: 48, padding: 12, order: .chess)
        let expected = try InProcessUpscaler.upscale(source: source, spec: spec)
        let client = try ClusterClient(endpoint: endpoints.client)
        var started = 0
        for count in [1, 2, 4] {
            while started < count {
                started += 1
                startWorker("w\(started)", ClassicalTileRenderer())
            }
            let job = try client.submit(png: ClusterTestSupport.pngData(source, in: dir), spec: spec)
            XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 30) { _, _ in }.state, .done)
            let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "out").rgba8
            XCTAssertEqual(output, expected, "\(count) workers")
        }
    }
}
