import TesseraWire
import XCTest

final class SessionRulesTests: XCTestCase {
    func testVersionNegotiationPicksTheHighestCommonVersion() {
        XCTAssertEqual(WireProtocol.negotiateVersion(offered: [1]), 1)
        XCTAssertEqual(WireProtocol.negotiateVersion(offered: [3, 1, 2], supported: [1, 2]), 2)
        XCTAssertNil(WireProtocol.negotiateVersion(offered: [2, 3]))
        XCTAssertNil(WireProtocol.negotiateVersion(offered: []))
    }

    func testHeartbeatIsDueAfterOneSilentInterval() {
        let start = ContinuousClock.now
        var peer = PeerLiveness(heartbeatMilliseconds: 1000, liveness: 3, now: start)
        XCTAssertFalse(peer.heartbeatDue(at: start + .milliseconds(999)))
        XCTAssertTrue(peer.heartbeatDue(at: start + .milliseconds(1000)))
        peer.noteSent(at: start + .milliseconds(900))
        XCTAssertFalse(peer.heartbeatDue(at: start + .milliseconds(1500)))
        XCTAssertEqual(peer.nextDeadline, start + .milliseconds(1900))
    }

    func testPeerIsDeadAfterLivenessSilentIntervalsAndAnyMessageRevivesIt() {
        let start = ContinuousClock.now
        var peer = PeerLiveness(heartbeatMilliseconds: 1000, liveness: 3, now: start)
        XCTAssertFalse(peer.isExpired(at: start + .milliseconds(2999)))
        XCTAssertTrue(peer.isExpired(at: start + .milliseconds(3000)))
        peer.noteReceived(at: start + .milliseconds(2500))
        XCTAssertFalse(peer.isExpired(at: start + .milliseconds(5000)))
        XCTAssertTrue(peer.isExpired(at: start + .milliseconds(5500)))
    }

    func testOutOfOrderTimestampsNeverMoveTheClocksBack() {
        let start = ContinuousClock.now
        var peer = PeerLiveness(now: start)
        peer.noteReceived(at: start + .seconds(2))
        peer.noteReceived(at: start + .seconds(1))
        XCTAssertEqual(peer.lastReceived, start + .seconds(2))
    }
}
