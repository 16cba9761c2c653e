import Foundation
import XCTest
@testable import TesseraCluster

final class PriorityTests: XCTestCase {
    func testTheHigherPriorityJobsTilesAreDispatchedFirst() throws {
        let harness = ProcessHarness(self)
        let state = harness.stateDir + "/state"
        let (coordinatorProcess, endpoints) = try harness.startCoordinator(state: state)
        let client = try ClusterClient(endpoint: endpoints.client)
        let png = try ClusterTestSupport.pngData(ClusterTestSupport.testImage(width: 60, height: 40), in: harness.stateDir)
        // Both queued before any worker exists; the low one first, so FIFO alone would favour it.
        let low = try client.submit(png: png, spec: UpscaleJobSpec(scale: 2, tileWidth: 40, padding: 4, priority: 10))
        let high = try client.submit(png: png, spec: UpscaleJobSpec(scale: 2, tileWidth: 40, padding: 4, priority: 90))
        _ = try harness.startWorker(endpoints.worker, id: "solo", delayMs: 0)
        for job in [low, high] {
            XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 30) { _, _ in }.state, .done)
        }
        harness.terminate(coordinatorProcess)
        let store = try JobStore(directory: state)
        let highIds = try store.attempts(of: high).map(\.id)
        let lowIds = try store.attempts(of: low).map(\.id)
        XCTAssertEqual(highIds.count, 6)
        XCTAssertEqual(lowIds.count, 6)
        XCTAssertLessThan(highIds.max()!, lowIds.min()!, "a low-priority tile was dispatched before the high job ended")
    }
}
