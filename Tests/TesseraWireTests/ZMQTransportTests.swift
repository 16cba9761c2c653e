import Foundation
import TesseraWire
import TesseraZMQ
import XCTest

/// Real libzmq sockets on loopback and inproc. Every wait has a timeout so a broken transport
/// fails the test instead of hanging it.
final class ZMQTransportTests: XCTestCase {
    private let wait = 5000 // ms; generous for a loaded CI machine, never reached when things work

    private func makePair(_ context: ZMQContext, endpoint: String) throws -> (router: ZMQSocket, dealer: ZMQSocket) {
        let router = try context.makeSocket(.router)
        try router.applyWireDefaults()
        try router.bind(endpoint)
        let dealer = try context.makeSocket(.dealer)
        try dealer.applyWireDefaults()
        try dealer.setOption(.routingID(Data("worker-7".utf8)))
        try dealer.connect(try router.lastEndpoint())
        return (router, dealer)
    }

    func testEphemeralTCPBindReportsTheRealPort() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.setOption(.linger(milliseconds: 0))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
        XCTAssertGreaterThan(Int(endpoint.split(separator: ":").last!) ?? 0, 0)
    }

    func testRouterAndDealerExchangeWireMessagesOverTCP() throws {
        try exchange(endpoint: "tcp://127.0.0.1:*")
    }

    func testRouterAndDealerExchangeWireMessagesOverInproc() throws {
        try exchange(endpoint: "inproc://wire-test-\(UUID().uuidString)")
    }

    private func exchange(endpoint: String) throws {
        let context = try ZMQContext()
        let (router, dealer) = try makePair(context, endpoint: endpoint)
        let hello = SampleMessages.all.first { $0.command == .hello }!
        try dealer.send(hello)

        let received = try XCTUnwrap(try router.receiveMessage(timeoutMilliseconds: wait))
        XCTAssertEqual(received.routingID, Data("worker-7".utf8))
        XCTAssertEqual(try received.result.get(), hello)

        // Reply with a TILE carrying pixel payloads, addressed by routing id.
        let tile = SampleMessages.all.first { $0.command == .tile }!
        try router.send(tile, to: received.routingID)
        let reply = try XCTUnwrap(try dealer.receiveMessage(timeoutMilliseconds: wait))
        XCTAssertNil(reply.routingID)
        XCTAssertEqual(try reply.result.get(), tile)
    }

    func testLargeTilePayloadCrossesTCPIntact() throws {
        let context = try ZMQContext()
        let (router, dealer) = try makePair(context, endpoint: "tcp://127.0.0.1:*")
        var generator = SplitMix64(seed: 5)
        let pixels = Data((0..<(512 * 512 * 3)).map { i in UInt8(truncatingIfNeeded: i / 1536 + Int(generator.next() & 1)) })
        let result = Message.result(TileResult(tile: SampleMessages.tileRef, renderMilliseconds: 9,
                                               payloads: [.image(.result, format: .rgb8, width: 512, height: 512, pixels: pixels)]))
        try dealer.send(result)
        let received = try XCTUnwrap(try router.receiveMessage(timeoutMilliseconds: wait))
        XCTAssertEqual(try received.result.get(), result)
    }

    func testFramesOverMaxMessageSizeAreNeverDelivered() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.setOption(.maxMessageSize(1000))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        let big = try context.makeSocket(.dealer)
        try big.connect(endpoint)
        try big.send([Data(count: 2000)])
        XCTAssertNil(try router.receive(timeoutMilliseconds: 300), "a 2000-byte frame passed a 1000-byte limit")
        // The router itself keeps working for well-behaved peers.
        let small = try context.makeSocket(.dealer)
        try small.connect(endpoint)
        try small.send([Data(count: 10)])
        XCTAssertEqual(try router.receive(timeoutMilliseconds: wait)?.last, Data(count: 10))
    }

    func testMalformedFramesArriveAsADecodeFailureWithTheSender() throws {
        let context = try ZMQContext()
        let (router, dealer) = try makePair(context, endpoint: "inproc://malformed-\(UUID().uuidString)")
        try dealer.send([Data("not a tessera message".utf8)])
        let received = try XCTUnwrap(try router.receiveMessage(timeoutMilliseconds: wait))
        XCTAssertEqual(received.routingID, Data("worker-7".utf8))
        guard case .failure(let error) = received.result else { return XCTFail("decoded garbage") }
        XCTAssertEqual(error, .badSignature)
        var counters = WireCounters()
        counters.record(received)
        XCTAssertEqual(counters.rejected, 1)
        XCTAssertEqual(counters.rejectedByCode[.malformed], 1)
    }

    func testReceiveWithTimeoutReturnsNilWhenNothingArrives() throws {
        let context = try ZMQContext()
        let dealer = try context.makeSocket(.dealer)
        try dealer.setOption(.linger(milliseconds: 0))
        try dealer.bind("inproc://idle-\(UUID().uuidString)")
        XCTAssertNil(try dealer.receive(timeoutMilliseconds: 20))
        XCTAssertNil(try dealer.tryReceive())
    }

    func testPollReportsOnlyTheReadySocketAndTimesOutWhenIdle() throws {
        let context = try ZMQContext()
        let a = try makePair(context, endpoint: "inproc://poll-a-\(UUID().uuidString)")
        let b = try makePair(context, endpoint: "inproc://poll-b-\(UUID().uuidString)")
        let items = [PollItem(socket: a.router), PollItem(socket: b.router)]
        XCTAssertEqual(try ZMQPoller.poll(items, timeoutMilliseconds: 10), [[], []])

        try b.dealer.send([Data("ping".utf8)])
        let ready = try ZMQPoller.poll(items, timeoutMilliseconds: wait)
        XCTAssertEqual(ready, [[], .readable])
        XCTAssertEqual(try b.router.tryReceive(), [Data("worker-7".utf8), Data("ping".utf8)])
    }

    func testPollWatchesAPlainFileDescriptor() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let item = PollItem(fileDescriptor: fds[0])
        XCTAssertEqual(try ZMQPoller.poll([item], timeoutMilliseconds: 0), [[]])
        var byte: UInt8 = 1
        XCTAssertEqual(write(fds[1], &byte, 1), 1)
        XCTAssertEqual(try ZMQPoller.poll([item], timeoutMilliseconds: wait), [.readable])
    }

    func testMultipartMessagesKeepFrameBoundariesIncludingEmptyFrames() throws {
        let context = try ZMQContext()
        let endpoint = "inproc://pair-\(UUID().uuidString)"
        let left = try context.makeSocket(.pair)
        try left.bind(endpoint)
        let right = try context.makeSocket(.pair)
        try right.connect(endpoint)
        try left.setOption(.linger(milliseconds: 0))
        try right.setOption(.linger(milliseconds: 0))
        try left.send([[1, 2, 3], [], [4]] as [[UInt8]])
        XCTAssertEqual(try right.receive(timeoutMilliseconds: wait), [Data([1, 2, 3]), Data(), Data([4])])
    }

    func testMessagesWithTooManyFramesAreDroppedWithAnError() throws {
        let context = try ZMQContext()
        let endpoint = "inproc://frames-\(UUID().uuidString)"
        let sender = try context.makeSocket(.pair)
        try sender.bind(endpoint)
        let receiver = try context.makeSocket(.pair)
        try receiver.connect(endpoint)
        receiver.maxFramesPerMessage = 4
        try sender.send(Array(repeating: Data([0]), count: 10))
        try sender.send([Data("next".utf8)])
        XCTAssertThrowsError(try receiver.receive(timeoutMilliseconds: wait)) { error in
            XCTAssertEqual((error as? ZMQError)?.kind, .messageTooLarge)
        }
        // The oversized message was drained completely; the next one is intact.
        XCTAssertEqual(try receiver.receive(timeoutMilliseconds: wait), [Data("next".utf8)])
    }

    func testSubscriberReceivesOnlyItsTopic() throws {
        let context = try ZMQContext()
        let endpoint = "inproc://pubsub-\(UUID().uuidString)"
        let publisher = try context.makeSocket(.publisher)
        try publisher.bind(endpoint)
        let subscriber = try context.makeSocket(.subscriber)
        try subscriber.setOption(.subscribe(Data("job.".utf8)))
        try subscriber.connect(endpoint)
        // A subscription reaches the publisher asynchronously ("slow joiner"), so publish until
        // the first message gets through; bounded by the attempt count.
        var received: [Data]?
        for _ in 0..<500 where received == nil {
            try publisher.send([Data("other.1".utf8)])
            try publisher.send([Data("job.7".utf8), Data("running".utf8)])
            received = try subscriber.receive(timeoutMilliseconds: 10)
        }
        XCTAssertEqual(received, [Data("job.7".utf8), Data("running".utf8)])
        while let next = try subscriber.receive(timeoutMilliseconds: 20) {
            XCTAssertEqual(next.first, Data("job.7".utf8), "unsubscribed topic delivered")
        }
    }

    func testRouterMandatoryReportsUnknownPeerAsHostUnreachable() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.applyWireDefaults()
        try router.bind("inproc://mandatory-\(UUID().uuidString)")
        XCTAssertThrowsError(try router.send(.ok(OKReply(requestID: 1)), to: Data("nobody".utf8))) { error in
            let zmqError = error as? ZMQError
            XCTAssertEqual(zmqError?.kind, .hostUnreachable)
            XCTAssertEqual(zmqError?.message, "Host unreachable") // zmq_strerror text, not strerror
        }
    }

    func testRouterRefusesToSendWithoutARoutingID() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.setOption(.linger(milliseconds: 0))
        XCTAssertThrowsError(try router.send(.ok(OKReply(requestID: 1))))
    }

    func testBindFailureCarriesTheEndpointAndLibzmqText() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        try socket.setOption(.linger(milliseconds: 0))
        XCTAssertThrowsError(try socket.bind("bogus://nowhere")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("bind bogus://nowhere"), text)
            XCTAssertEqual((error as? ZMQError)?.kind, .notSupported)
        }
    }

    func testClosedSocketThrowsInsteadOfCrashing() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        socket.close()
        XCTAssertTrue(socket.isClosed)
        XCTAssertThrowsError(try socket.send([Data([1])]))
        XCTAssertThrowsError(try socket.tryReceive())
    }

    func testMailboxCarriesMessagesFromOtherThreadsToTheSocketThread() throws {
        let context = try ZMQContext()
        let mailbox = try ZMQMailbox(context: context)
        let poster = mailbox.poster
        let group = DispatchGroup()
        for sender in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for n in 0..<25 { _ = try? poster.post([Data([UInt8(sender), UInt8(n)])]) }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + .seconds(10)), .success)
        var received = Set<[UInt8]>()
        while received.count < 100, let frames = try mailbox.receive(timeoutMilliseconds: wait) {
            received.insert([UInt8](frames[0]))
        }
        XCTAssertEqual(received.count, 100)
        poster.close()
        XCTAssertThrowsError(try poster.post([Data()]))
    }

    func testContextShutdownWakesABlockedReceiveWithTerminated() throws {
        let context = try ZMQContext()
        let finished = expectation(description: "receive returned")
        let outcome = LockedBox<ZMQError.Kind?>(nil)
        let thread = Thread {
            do {
                let socket = try context.makeSocket(.dealer)
                try socket.setOption(.linger(milliseconds: 0))
                try socket.bind("inproc://blocked-\(UUID().uuidString)")
                _ = try socket.receive()
            } catch {
                outcome.set((error as? ZMQError)?.kind)
            }
            finished.fulfill()
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.05)
        context.shutdown()
        wait(for: [finished], timeout: 10)
        XCTAssertEqual(outcome.get(), .terminated)
    }

    func testSocketHandoffMovesASocketToItsThreadOnce() throws {
        let context = try ZMQContext()
        let endpoint = "inproc://handoff-\(UUID().uuidString)"
        let receiver = try context.makeSocket(.pair)
        try receiver.setOption(.linger(milliseconds: 0))
        try receiver.bind(endpoint)
        let sender = try context.makeSocket(.pair)
        try sender.setOption(.linger(milliseconds: 0))
        try sender.connect(endpoint)
        let handoff = ZMQSocketHandoff(sender)
        let done = expectation(description: "sent")
        Thread {
            if let socket = handoff.take() { try? socket.send([Data("from thread".utf8)]) }
            done.fulfill()
        }.start()
        wait(for: [done], timeout: 10)
        XCTAssertNil(handoff.take())
        XCTAssertEqual(try receiver.receive(timeoutMilliseconds: wait), [Data("from thread".utf8)])
    }

    func testMonitorReportsConnectAndDisconnect() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.setOption(.linger(milliseconds: 0))
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try context.makeSocket(.dealer)
        try dealer.setOption(.linger(milliseconds: 0))
        let monitor = try dealer.monitor([.connected, .disconnected])
        try dealer.connect(try router.lastEndpoint())
        let connected = try XCTUnwrap(try monitor.next(timeoutMilliseconds: wait))
        XCTAssertEqual(connected.kind, .connected)
        XCTAssertEqual(connected.endpoint, try router.lastEndpoint())
        router.close()
        let disconnected = try XCTUnwrap(try monitor.next(timeoutMilliseconds: wait))
        XCTAssertEqual(disconnected.kind, .disconnected)
    }
}

/// A tiny lock-protected cell for passing a result out of a thread in tests.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
}
