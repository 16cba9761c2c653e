import TesseraImaging
import XCTest
@testable import TesseraCluster

final class TileSchedulerTests: XCTestCase {
    private var rowIds: Int64 = 0
    private func lease(_ key: TileKey, _ worker: String) -> (seconds: Double, attemptRowId: Int64) {
        rowIds += 1
        return (10, rowIds)
    }

    func testHigherPriorityJobIsDispatchedFirstAndFIFOWithinAPriority() {
        var s = TileScheduler()
        s.addJob(id: "low", priority: 10, seq: 1, renderer: "lanczos", tileCount: 2, pendingInOrder: [0, 1])
        s.addJob(id: "high", priority: 90, seq: 2, renderer: "lanczos", tileCount: 2, pendingInOrder: [0, 1])
        s.addJob(id: "high2", priority: 90, seq: 3, renderer: "lanczos", tileCount: 1, pendingInOrder: [0])
        s.registerWorker(id: "w", renderers: ["lanczos"], freeSlots: 5, now: 0)
        let order = s.dispatch(now: 0, makeLease: lease).map { "\($0.key)" }
        XCTAssertEqual(order, ["high#0", "high#1", "high2#0", "low#0", "low#1"])
    }

    func testNothingIsPushedToAWorkerWithoutCredits() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 4, pendingInOrder: [0, 1, 2, 3])
        s.registerWorker(id: "w", renderers: ["lanczos"], freeSlots: 1, now: 0)
        XCTAssertEqual(s.dispatch(now: 0, makeLease: lease).count, 1)
        XCTAssertEqual(s.dispatch(now: 0, makeLease: lease).count, 0)
        s.addCredits(worker: "w", 2, now: 1)
        XCTAssertEqual(s.dispatch(now: 1, makeLease: lease).map(\.key.index), [1, 2])
    }

    func testATileWithoutDependenciesStillWaitsUntilTheCoordinatorSaysItIsReady() {
        // A causal job's first unit depends on nothing but its base image, which the coordinator builds off-thread.
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 2, pendingInOrder: [0, 1],
                 dependencies: [1: [0]])
        s.registerWorker(id: "w", renderers: ["lanczos"], freeSlots: 2, now: 0)
        XCTAssertTrue(s.dispatch(now: 0, isReady: { _ in false }, makeLease: lease).isEmpty)
        XCTAssertEqual(s.dispatch(now: 1, isReady: { _ in true }, makeLease: lease).map(\.key.index), [0])
    }

    func testWorkersWithoutTheRendererGetNothing() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "sd15", tileCount: 1, pendingInOrder: [0])
        s.registerWorker(id: "w", renderers: ["lanczos"], freeSlots: 4, now: 0)
        XCTAssertTrue(s.dispatch(now: 0, makeLease: lease).isEmpty)
    }

    func testAFailedTileIsRetriedOnADifferentWorker() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 1, pendingInOrder: [0])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 1, now: 0)
        XCTAssertEqual(s.dispatch(now: 0, makeLease: lease).first?.workerId, "a")
        s.registerWorker(id: "b", renderers: ["lanczos"], freeSlots: 0, now: 0)
        XCTAssertEqual(s.fail(TileKey(jobId: "j", index: 0), worker: "a", fatal: false), .requeued(blocklisted: false))
        s.addCredits(worker: "a", 1, now: 1)
        XCTAssertTrue(s.dispatch(now: 1, makeLease: lease).isEmpty, "a already failed this tile and b exists")
        s.addCredits(worker: "b", 1, now: 1)
        let second = s.dispatch(now: 1, makeLease: lease)
        XCTAssertEqual(second.first?.workerId, "b")
        XCTAssertEqual(second.first?.attempt, 2)
    }

    func testASingleWorkerMayRetryItsOwnFailureRatherThanStall() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 1, pendingInOrder: [0])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 1, now: 0)
        _ = s.dispatch(now: 0, makeLease: lease)
        _ = s.fail(TileKey(jobId: "j", index: 0), worker: "a", fatal: false)
        s.addCredits(worker: "a", 1, now: 1)
        XCTAssertEqual(s.dispatch(now: 1, makeLease: lease).first?.attempt, 2)
    }

    func testTheThirdFailureOfATileFailsTheJob() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 1, pendingInOrder: [0])
        let key = TileKey(jobId: "j", index: 0)
        var outcome: TileScheduler.FailureOutcome = .ignored
        for (n, w) in ["a", "b", "c"].enumerated() {
            s.registerWorker(id: w, renderers: ["lanczos"], freeSlots: 1, now: Double(n))
            XCTAssertEqual(s.dispatch(now: Double(n), makeLease: lease).first?.workerId, w)
            outcome = s.fail(key, worker: w, fatal: false, reason: "boom")
        }
        XCTAssertEqual(outcome, .jobFailed(reason: "tile 0 failed 3 times; last error: boom"))
    }

    func testAFatalFailureFailsTheJobAtOnce() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 2, pendingInOrder: [0, 1])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 1, now: 0)
        _ = s.dispatch(now: 0, makeLease: lease)
        let outcome = s.fail(TileKey(jobId: "j", index: 0), worker: "a", fatal: true, reason: "model missing")
        XCTAssertEqual(outcome, .jobFailed(reason: "tile 0: model missing"))
    }

    func testAWorkerFailingThreeTilesIsBlocklistedForThatJobOnly() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 60, seq: 1, renderer: "lanczos", tileCount: 5, pendingInOrder: [0, 1, 2, 3, 4])
        s.addJob(id: "k", priority: 50, seq: 2, renderer: "lanczos", tileCount: 1, pendingInOrder: [0])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 3, now: 0)
        let got = s.dispatch(now: 0, makeLease: lease)
        XCTAssertEqual(got.map(\.key.jobId), ["j", "j", "j"])
        var outcomes: [TileScheduler.FailureOutcome] = []
        for a in got { outcomes.append(s.fail(a.key, worker: "a", fatal: false)) }
        XCTAssertEqual(outcomes.last, .requeued(blocklisted: true))
        XCTAssertEqual(s.blocklist(of: "j"), ["a"])
        s.addCredits(worker: "a", 1, now: 1)
        XCTAssertEqual(s.dispatch(now: 1, makeLease: lease).map(\.key.jobId), ["k"])
    }

    func testExpiredLeasesAreReportedAndRenewalPostponesExpiry() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 2, pendingInOrder: [0, 1])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 2, now: 0)
        _ = s.dispatch(now: 0, makeLease: lease)  // both leases last 10 s
        XCTAssertTrue(s.renew(TileKey(jobId: "j", index: 1), worker: "a", now: 8))
        XCTAssertFalse(s.renew(TileKey(jobId: "j", index: 1), worker: "b", now: 8))
        XCTAssertEqual(s.expiredLeases(now: 11).map(\.0.index), [0])
        XCTAssertEqual(s.expiredLeases(now: 19).map(\.0.index), [0, 1])
    }

    func testRemovingADeadWorkerRequeuesItsTiles() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 2, pendingInOrder: [0, 1])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 2, now: 0)
        _ = s.dispatch(now: 0, makeLease: lease)
        let lost = s.removeWorker("a")
        XCTAssertEqual(lost.map(\.0.index), [0, 1])
        XCTAssertEqual(lost.map(\.2), [.requeued(blocklisted: false), .requeued(blocklisted: false)])
        s.registerWorker(id: "b", renderers: ["lanczos"], freeSlots: 2, now: 1)
        XCTAssertEqual(Set(s.dispatch(now: 1, makeLease: lease).map(\.key.index)), [0, 1])
    }

    func testALateResultForAPendingTileIsAcceptedAndADuplicateIsNot() {
        var s = TileScheduler()
        s.addJob(id: "j", priority: 50, seq: 1, renderer: "lanczos", tileCount: 1, pendingInOrder: [0])
        s.registerWorker(id: "a", renderers: ["lanczos"], freeSlots: 1, now: 0)
        _ = s.dispatch(now: 0, makeLease: lease)
        let key = TileKey(jobId: "j", index: 0)
        _ = s.fail(key, worker: "a", fatal: false)  // e.g. lease expired; tile is pending again
        XCTAssertTrue(s.complete(key, worker: "a").isNew)
        XCTAssertTrue(s.isComplete("j"))
        XCTAssertFalse(s.complete(key, worker: "b").isNew)
        s.registerWorker(id: "b", renderers: ["lanczos"], freeSlots: 1, now: 1)
        XCTAssertTrue(s.dispatch(now: 1, makeLease: lease).isEmpty, "a done tile is never dispatched again")
    }

    func testPlansDispatchTilesInTheImagingPlansProcessingOrder() throws {
        let chess = try UpscalePlan(spec: UpscaleJobSpec(scale: 2, tileWidth: 64, order: .chess), sourceWidth: 96, sourceHeight: 64)
        XCTAssertEqual(chess.tileCount, 6)
        XCTAssertEqual(chess.dispatchOrder, Array(0..<6))
        let firstBlack = chess.tilePlan.tiles.firstIndex { ($0.row + $0.column) % 2 == 1 }!
        XCTAssertTrue(chess.tilePlan.tiles[..<firstBlack].allSatisfy { ($0.row + $0.column) % 2 == 0 })
    }

    func testSpecValidationNamesTheField() {
        XCTAssertThrowsError(try UpscaleJobSpec(tileWidth: 100).validate()) { XCTAssertTrue("\($0)".contains("tile_width")) }
        XCTAssertThrowsError(try UpscaleJobSpec(tileHeight: 256).validate()) { XCTAssertTrue("\($0)".contains("tile_height")) }
        XCTAssertThrowsError(try UpscaleJobSpec(padding: 4, feather: 16).validate()) { XCTAssertTrue("\($0)".contains("feather")) }
        XCTAssertEqual(UpscaleJobSpec(padding: 8).effectiveFeather, 16)
        XCTAssertEqual(UpscaleJobSpec(padding: 0).effectiveFeather, 0)
    }
}
