import Foundation
import TesseraWire
import XCTest

/// The test vectors of docs/protocol.md §12, read from the document itself so the spec and the
/// implementation cannot drift apart.
final class SpecVectorTests: XCTestCase {
    /// The message each vector in the spec must encode.
    private let expected: [String: Message] = [
        "ready": .ready(Ready(credit: 2)),
        "hello": .hello(Hello(workerID: "w1", software: "tessera 0.1", versions: [1], threads: 4, renderers: ["img2img"],
                              models: [ModelInfo(name: "sd15.safetensors", hash: "6ce0161689")])),
        "heartbeat": .heartbeat(Heartbeat(state: .busy, jobID: "j1", tileID: 7)),
        "error": .error(ErrorReport(requestID: 0, code: .unsupportedVersion, message: "version 2 not supported")),
        "tile": .tile(TileAssignment(tile: TileRef(jobID: "j1", tileID: 3, attempt: 1), leaseMilliseconds: 30_000,
                                     rect: TileRect(x: 448, y: 0, width: 2, height: 1), parameters: .json(#"{"seed":42}"#),
                                     payloads: [.image(.context, format: .rgb8, width: 2, height: 1, pixels: Data([255, 0, 0, 0, 0, 255]))])),
        "result": .result(TileResult(tile: TileRef(jobID: "j1", tileID: 3, attempt: 1), renderMilliseconds: 1500,
                                     payloads: [.image(.result, format: .gray8, width: 4, height: 4, pixels: Data(count: 16))])),
        "revoke": .revoke(Revoke(jobID: "j1")),
        "update": .update(JobUpdate(requestID: 2, job: JobStatusRecord(jobID: "j1", state: .running, tilesTotal: 4, tilesDone: 1,
                                                                    tilesRunning: 2, tilesFailed: 0, progress: 0.4375, resultBytes: 0))),
        "fetch": .fetch(FetchRequest(requestID: 5, jobID: "j1", offset: 0, maxLength: 65_536)),
        "chunk": .chunk(ResultChunk(requestID: 5, jobID: "j1", offset: 0, totalLength: 3, chunk: Data("abc".utf8))),
    ]

    private func specText() throws -> String {
        let spec = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md")
        return try String(contentsOf: spec, encoding: .utf8)
    }

    func testCommandTableOfTheSpecMatchesTheImplementation() throws {
        let text = try specText()
        for command in Command.allCases {
            let hex = String(command.rawValue, radix: 16, uppercase: true)
            let row = "| 0x\(hex.count == 1 ? "0" + hex : hex) | \(command.name) |"
            XCTAssertTrue(text.contains(row), "spec §4.2 lacks the row \(row)")
        }
    }

    func testErrorCodeTableOfTheSpecMatchesTheImplementation() throws {
        let text = try specText()
        for raw in UInt16(0)...999 {
            let code = WireErrorCode(rawValue: raw)
            if case .other = code { continue }
            XCTAssertTrue(text.contains("| \(raw) | \(code.name) |"), "spec §8 lacks \(raw) \(code.name)")
        }
    }

    private func specVectors() throws -> [String: [Data]] {
        let text = try specText()
        var vectors: [String: [Data]] = [:]
        var current: String?
        var inBlock = false
        var frames: [[UInt8]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("<!-- vector:") {
                current = String(line.dropFirst("<!-- vector:".count).prefix { $0 != " " && $0 != "-" })
                frames = []
            } else if current != nil && line == "```text" {
                inBlock = true
            } else if inBlock && line == "```" {
                vectors[current!] = frames.map { Data($0) }
                current = nil
                inBlock = false
            } else if inBlock && line.hasPrefix("frame ") {
                frames.append([])
            } else if inBlock {
                for hex in line.split(separator: " ") {
                    frames[frames.count - 1].append(try XCTUnwrap(UInt8(hex, radix: 16), "bad hex \(hex)"))
                }
            }
        }
        return vectors
    }

    func testSpecListsExactlyTheVectorsThisTestKnows() throws {
        XCTAssertEqual(Set(try specVectors().keys), Set(expected.keys))
    }

    func testSpecVectorsDecodeToTheDescribedMessages() throws {
        for (name, frames) in try specVectors() {
            XCTAssertEqual(try Message.decode(frames), expected[name], name)
        }
    }

    func testImplementationEncodesTheSpecVectorsByteForByte() throws {
        for (name, frames) in try specVectors() {
            let message = try XCTUnwrap(expected[name])
            XCTAssertEqual(try message.encode(), frames, name)
        }
    }

    func testSpecFrameLengthsMatchTheirHeaders() throws {
        // Guards the parser itself: "frame N (K bytes)" must agree with the hex that follows.
        let vectors = try specVectors()
        XCTAssertEqual(vectors["ready"]?.map(\.count), [8])
        XCTAssertEqual(vectors["result"]?.map(\.count), [21, 30])
        XCTAssertEqual(vectors["tile"]?.map(\.count), [53, 26])
    }

    func testRecommendedFrameSizeIsTheWorstCaseLZ4Frame() {
        XCTAssertEqual(WireLimits.default.recommendedMaxFrameSize, 67_372_072)
    }
}
