import XCTest
@testable import TesseraCluster

final class ParentDeathWatchTests: XCTestCase {
    func testPrctlIsReachableDespiteBeingVariadic() {
        // Signal 0 clears the parent-death signal, so this leaves the test process unchanged.
        XCTAssertTrue(ParentDeathWatch.setParentDeathSignal(0))
    }
}
