import Foundation
import TesseraWire
import XCTest

final class MessageRoundTripTests: XCTestCase {
    func testSamplesCoverEveryCommand() {
        XCTAssertEqual(Set(SampleMessages.all.map(\.command)), Set(Command.allCases))
    }

    func testEveryMessageDecodesToItselfWithLZ4() throws {
        for message in SampleMessages.all {
            let frames = try message.encode()
            XCTAssertEqual(frames.count, 1 + message.payloads.count, "\(message.command.name)")
            XCTAssertEqual(try Message.decode(frames), message, "\(message.command.name)")
        }
    }

    func testEveryMessageDecodesToItselfUncompressed() throws {
        for message in SampleMessages.all {
            XCTAssertEqual(try Message.decode(try message.encode(compression: .none)), message, "\(message.command.name)")
        }
    }

    func testCompressiblePayloadIsSentAsLZ4AndNoiseIsSentRaw() throws {
        guard case .tile(let tile) = SampleMessages.all.first(where: { $0.command == .tile }) else { return XCTFail() }
        let frames = try Message.tile(tile).encode()
        XCTAssertEqual(frames[1][frames[1].startIndex + 1], 1, "gradient context should be LZ4")
        XCTAssertLessThan(frames[1].count, 20 + tile.payloads[0].bytes.count)
        XCTAssertEqual(frames[2][frames[2].startIndex + 1], 0, "random mask does not compress, so it goes raw")
        XCTAssertEqual(frames[2].count, 20 + tile.payloads[1].bytes.count)
    }

    func testHeaderFrameStartsWithSignatureVersionAndCommand() throws {
        for message in SampleMessages.all {
            let header = [UInt8](try message.encode()[0])
            XCTAssertEqual(Array(header[0..<6]), [0x54, 0x45, 0x53, 0x53, 1, message.command.rawValue])
        }
    }

    func testProgressFractionIsCarriedInTenThousandths() throws {
        let message = Message.progress(TileProgress(tile: SampleMessages.tileRef, fraction: 0.12345))
        guard case .progress(let decoded) = try Message.decode(try message.encode()) else { return XCTFail() }
        XCTAssertEqual(decoded.fraction, 0.1235)
    }

    func testUnknownErrorCodesSurviveARoundTrip() throws {
        let message = Message.error(ErrorReport(requestID: 9, code: .other(4242), message: "from the future"))
        guard case .error(let decoded) = try Message.decode(try message.encode()) else { return XCTFail() }
        XCTAssertEqual(decoded.code.rawValue, 4242)
        XCTAssertEqual(WireErrorCode(rawValue: 200), .unknownJob)
        XCTAssertEqual(WireErrorCode.unknownJob.name, "UNKNOWN_JOB")
    }

    func testRequestIDsAreExposedForClientTraffic() {
        XCTAssertEqual(Message.fetch(FetchRequest(requestID: 77, jobID: "j", offset: 0, maxLength: 1)).requestID, 77)
        XCTAssertNil(Message.ready(Ready(credit: 1)).requestID)
    }
}

final class MessageDescriptionTests: XCTestCase {
    func testDescriptionNamesCommandAndTileButNotPayloadBytes() {
        let tile = SampleMessages.all.first { $0.command == .tile }!
        let text = tile.description
        XCTAssertTrue(text.hasPrefix("TILE job-0001#12/2"), text)
        XCTAssertTrue(text.contains("context(rgb8 24x16, 1152 B)"), text)
        XCTAssertFalse(text.contains("a castle"), "parameters (prompts) stay out of logs: \(text)")
    }

    func testEveryMessageHasAOneLineDescription() {
        for message in SampleMessages.all {
            XCTAssertTrue(message.description.hasPrefix(message.command.name))
            XCTAssertFalse(message.description.contains("\n"))
        }
    }
}

final class MessageTextTests: XCTestCase {
    func testOverlongErrorMessagesAreCutAtACharacterBoundaryInsteadOfFailing() throws {
        // 3-byte characters: 65,535 is divisible by 3, so use a 1-byte prefix to force a split.
        let text = "x" + String(repeating: "€", count: 30_000)
        let message = Message.failed(TileFailure(tile: SampleMessages.tileRef, code: .renderFailed, retryable: false, message: text))
        guard case .failed(let decoded) = try Message.decode(try message.encode()) else { return XCTFail() }
        XCTAssertEqual(decoded.message.utf8.count, 1 + 21_844 * 3)
        XCTAssertTrue(text.hasPrefix(decoded.message))
    }
}

final class ReceivedMessageTests: XCTestCase {
    func testRouterFramesAreSplitIntoSenderAndMessage() throws {
        let frames = [Data("w1".utf8)] + (try Message.ready(Ready(credit: 1)).encode())
        let received = ReceivedMessage.decode(frames, socketType: .router)
        XCTAssertEqual(received.routingID, Data("w1".utf8))
        XCTAssertEqual(try received.result.get(), .ready(Ready(credit: 1)))
    }

    func testRouterFramesWithOnlyARoutingIDAreAnEmptyMessage() {
        let received = ReceivedMessage.decode([Data("w1".utf8)], socketType: .router)
        XCTAssertEqual(received.routingID, Data("w1".utf8))
        guard case .failure(.noFrames) = received.result else { return XCTFail("\(received.result)") }
    }

    func testDealerFramesHaveNoRoutingID() throws {
        let received = ReceivedMessage.decode(try Message.ok(OKReply(requestID: 3)).encode(), socketType: .dealer)
        XCTAssertNil(received.routingID)
        XCTAssertEqual(try received.result.get(), .ok(OKReply(requestID: 3)))
    }
}
