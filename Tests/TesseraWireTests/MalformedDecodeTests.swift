import Foundation
import TesseraWire
import XCTest

final class MalformedDecodeTests: XCTestCase {
    private func header(_ command: Command, version: UInt8 = 1, body: [UInt8] = []) -> Data {
        Data([0x54, 0x45, 0x53, 0x53, version, command.rawValue] + body)
    }

    private func assertDecodeFails(_ frames: [Data], limits: WireLimits = .default, _ expected: WireError? = nil, file: StaticString = #filePath, line: UInt = #line, matching check: ((WireError) -> Bool)? = nil) {
        do {
            let message = try Message.decode(frames, limits: limits)
            XCTFail("decoded \(message.command.name) from bad input", file: file, line: line)
        } catch {
            if let expected { XCTAssertEqual(error, expected, file: file, line: line) }
            if let check { XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line) }
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    func testNoFramesIsRejected() {
        assertDecodeFails([], .noFrames)
    }

    func testWrongSignatureIsRejected() {
        assertDecodeFails([Data("ZMQ!".utf8) + Data([1, 3, 1, 0])], .badSignature)
        assertDecodeFails([Data([0x54, 0x45])], .badSignature)
    }

    func testHeaderCutInsideThePrefixIsTruncated() {
        assertDecodeFails([Data([0x54, 0x45, 0x53, 0x53, 1])], .truncated(field: "header"))
    }

    func testOtherProtocolVersionsAreRejectedWithTheirNumber() {
        assertDecodeFails([header(.ready, version: 2, body: [1, 0])], .unsupportedVersion(2))
        assertDecodeFails([header(.ready, version: 0, body: [1, 0])], .unsupportedVersion(0))
        XCTAssertEqual(WireError.unsupportedVersion(2).protocolCode, .unsupportedVersion)
    }

    func testUnknownCommandIsRejectedWithItsByte() {
        assertDecodeFails([Data([0x54, 0x45, 0x53, 0x53, 1, 0x7F])], .unknownCommand(0x7F))
        XCTAssertEqual(WireError.unknownCommand(0x7F).protocolCode, .unknownCommand)
    }

    func testEveryTruncationOfEveryHeaderIsRejected() throws {
        for message in SampleMessages.all {
            var frames = try message.encode()
            let full = frames[0]
            for length in 0..<full.count {
                frames[0] = full.prefix(length)
                assertDecodeFails(frames)
            }
        }
    }

    func testEveryTruncationOfAPayloadFrameIsRejected() throws {
        guard let result = SampleMessages.all.first(where: { $0.command == .result }) else { return XCTFail() }
        for compression in [PayloadCompression.none, .lz4] {
            var frames = try result.encode(compression: compression)
            let full = frames[1]
            for length in 0..<full.count {
                frames[1] = full.prefix(length)
                assertDecodeFails(frames)
            }
        }
    }

    func testTrailingBytesAfterTheLastFieldAreRejected() throws {
        var frames = try Message.ready(Ready(credit: 3)).encode()
        frames[0].append(0)
        assertDecodeFails(frames, .trailingBytes(command: "READY", count: 1))
    }

    func testInvalidUTF8InAStringIsRejectedNamingTheField() {
        // STATUS: request_id u32, job_id str8 = [2, 0xC3, 0x28] (invalid sequence)
        assertDecodeFails([header(.status, body: [1, 0, 0, 0, 2, 0xC3, 0x28])],
                          .invalidField(field: "STATUS.job_id", reason: "not valid UTF-8"))
    }

    func testBooleanOtherThanZeroOrOneIsRejected() throws {
        var frames = try Message.failed(TileFailure(tile: SampleMessages.tileRef, code: .renderFailed, retryable: false, message: "x")).encode()
        // job_id "job-0001" (1+8) + tile u32 + attempt u32 + code u16 => retryable at 6 + 9 + 8 + 2.
        let index = frames[0].startIndex + 6 + 9 + 8 + 2
        XCTAssertEqual(frames[0][index], 0)
        frames[0][index] = 2
        assertDecodeFails(frames) { if case .invalidField(let field, _) = $0 { return field == "FAILED.retryable" } else { return false } }
    }

    func testUnknownEnumValuesAreRejected() {
        // HEARTBEAT state 9
        assertDecodeFails([header(.heartbeat, body: [9, 0, 0, 0, 0, 0])]) {
            if case .invalidField(let field, _) = $0 { return field == "HEARTBEAT.state" } else { return false }
        }
    }

    func testSemanticRulesAreCheckedOnDecodeToo() {
        // READY with credit 0; TILE attempt 0 is covered by the shared validation.
        assertDecodeFails([header(.ready, body: [0, 0])], .invalidField(field: "READY.credit", reason: "must be at least 1"))
        // PROGRESS over 10000/10000
        let tile: [UInt8] = [1, 0x6A] + [1, 0, 0, 0] + [1, 0, 0, 0]
        assertDecodeFails([header(.progress, body: tile + [0x11, 0x27])]) {
            if case .invalidField(let field, _) = $0 { return field == "PROGRESS.fraction" } else { return false }
        }
    }

    func testHugeListCountWithoutElementsIsTruncatedNotAllocated() {
        // WORKER_LIST claiming 65535 workers in a 12-byte frame.
        assertDecodeFails([header(.workerList, body: [1, 0, 0, 0, 0xFF, 0xFF])], .truncated(field: "WORKER_LIST.workers"))
    }

    func testPayloadFramesOnACommandWithoutPayloadsAreRejected() throws {
        var frames = try Message.ready(Ready(credit: 1)).encode()
        frames.append(Data(count: 20))
        assertDecodeFails(frames) { if case .invalidPayloads = $0 { return true } else { return false } }
    }

    func testResultWithoutPixelsIsRejected() throws {
        var frames = try SampleMessages.all.first { $0.command == .result }!.encode()
        frames.removeLast()
        assertDecodeFails(frames) { if case .invalidPayloads = $0 { return true } else { return false } }
    }

    func testPayloadWithAWrongRoleIsRejected() throws {
        var frames = try SampleMessages.all.first { $0.command == .result }!.encode()
        frames[1][frames[1].startIndex] = PayloadRole.context.rawValue
        assertDecodeFails(frames) { if case .invalidPayloads = $0 { return true } else { return false } }
    }

    func testFlippedPayloadBitFailsTheChecksum() throws {
        var frames = try SampleMessages.all.first { $0.command == .result }!.encode(compression: .none)
        frames[1][frames[1].endIndex - 1] ^= 0x01
        assertDecodeFails(frames) { if case .checksumMismatch = $0 { return true } else { return false } }
        XCTAssertEqual(WireError.checksumMismatch(field: "x", expected: 1, actual: 2).protocolCode, .checksumMismatch)
    }

    func testImageWhoseSizeDoesNotMatchItsDimensionsIsRejected() {
        let bad = Payload.image(.result, format: .rgb8, width: 4, height: 4, pixels: Data(count: 47))
        XCTAssertThrowsError(try Message.result(TileResult(tile: SampleMessages.tileRef, renderMilliseconds: 1, payloads: [bad])).encode())
    }

    func testOversizedHeaderFrameIsRejectedBeforeParsing() throws {
        let frames = try Message.submit(SubmitJob(requestID: 1, spec: .json(String(repeating: "x", count: 5000)))).encode()
        assertDecodeFails(frames, limits: WireLimits(maxHeaderBytes: 4096)) {
            if case .tooLarge(_, _, 4096) = $0 { return true } else { return false }
        }
    }

    func testOversizedPayloadIsRejectedByItsDeclaredSize() throws {
        let frames = try SampleMessages.all.first { $0.command == .result }!.encode()
        assertDecodeFails(frames, limits: WireLimits(maxPayloadBytes: 100)) {
            if case .tooLarge = $0 { return $0.protocolCode == .tooLarge } else { return false }
        }
    }

    func testDecompressionBombIsRefused() throws {
        // A tiny LZ4 frame whose header claims 60 MiB of gray8 pixels.
        var frames = try SampleMessages.all.first { $0.command == .result }!.encode()
        var payload = [UInt8](repeating: 0, count: 20)
        payload[0] = PayloadRole.result.rawValue; payload[1] = 1; payload[2] = PayloadFormat.gray8.rawValue
        let side: UInt32 = 7936 // 7936^2 = 62,980,096 bytes < 64 MiB
        for (offset, value) in [(4, side), (8, side), (12, side * side)] {
            withUnsafeBytes(of: value.littleEndian) { payload.replaceSubrange(offset..<offset + 4, with: $0) }
        }
        frames[1] = Data(payload + [0x1F, 0x00, 0x01, 0x00, 0xFF, 0xFF, 0xFF])
        assertDecodeFails(frames) { if case .invalidField = $0 { return true } else { return false } }
    }

    func testPayloadsOverTheTotalLimitAreRejectedBeforeDecompressing() throws {
        let hint = Payload.image(.hint, format: .gray8, width: 100, height: 10, pixels: Data(count: 1000))
        let message = Message.submit(SubmitJob(requestID: 1, spec: .json("{}"), payloads: [hint, hint, hint]))
        let limits = WireLimits(maxTotalPayloadBytes: 2500)
        assertDecodeFails(try message.encode(), limits: limits) {
            if case .tooLarge(_, 3000, 2500) = $0 { return true } else { return false }
        }
        XCTAssertThrowsError(try message.encode(limits: limits))
        XCTAssertNoThrow(try Message.decode(try message.encode(), limits: WireLimits(maxTotalPayloadBytes: 3000)))
    }

    func testTooManyPayloadFramesAreRejected() throws {
        let message = Message.submit(SubmitJob(requestID: 1, spec: .json("{}"), payloads: Array(repeating: .image(.hint, format: .gray8, width: 1, height: 1, pixels: Data([1])), count: 3)))
        assertDecodeFails(try message.encode(), limits: WireLimits(maxPayloadFrames: 2)) {
            if case .tooLarge = $0 { return true } else { return false }
        }
    }

    func testEncoderRefusesWhatTheDecoderWouldRefuse() {
        XCTAssertThrowsError(try Message.hello(Hello(workerID: "", software: "x", threads: 1, renderers: [], models: [])).encode())
        XCTAssertThrowsError(try Message.hello(Hello(workerID: String(repeating: "w", count: 256), software: "x", threads: 1, renderers: [], models: [])).encode()) { error in
            XCTAssertEqual(error as? WireError, .tooLarge(what: "HELLO.worker_id", size: 256, limit: 255))
        }
        XCTAssertThrowsError(try Message.progress(TileProgress(tile: SampleMessages.tileRef, fraction: .nan)).encode())
        XCTAssertThrowsError(try Message.tile(TileAssignment(tile: TileRef(jobID: "j", tileID: 0, attempt: 0), rect: TileRect(x: 0, y: 0, width: 1, height: 1), parameters: .json("{}"))).encode())
        XCTAssertThrowsError(try Message.chunk(ResultChunk(requestID: 1, jobID: "j", offset: 5, totalLength: 6, chunk: Data(count: 2))).encode())
    }

    func testErrorsDescribeTheFieldAndProblem() {
        XCTAssertEqual(WireError.truncated(field: "TILE.job_id").description, "TILE.job_id: message truncated (frame ended inside this field)")
        XCTAssertTrue(WireError.unsupportedVersion(2).description.contains("version 2"))
    }
}
