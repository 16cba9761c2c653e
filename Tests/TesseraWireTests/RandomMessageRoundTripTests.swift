import Foundation
import TesseraWire
import XCTest

/// Generates valid messages with extreme and random field values (empty and maximal strings,
/// non-ASCII text, integer limits) and checks that each one survives encode → decode unchanged.
final class RandomMessageRoundTripTests: XCTestCase {
    private struct Generator {
        var rng: SplitMix64

        mutating func int<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return 0
            case 1: return T.max
            default: return T.random(in: T.min...T.max, using: &rng)
            }
        }

        mutating func text(maxBytes: Int, nonEmpty: Bool = false) -> String {
            let alphabet: [String] = ["a", "Z", "0", "-", " ", "é", "€", "𝄞", "\n", "\"", "{"]
            var result = ""
            let target = Int.random(in: (nonEmpty ? 1 : 0)...min(maxBytes, 300), using: &rng)
            while result.utf8.count < target {
                let next = alphabet.randomElement(using: &rng)!
                if result.utf8.count + next.utf8.count > maxBytes { break }
                result += next
            }
            return result.isEmpty && nonEmpty ? "x" : result
        }

        mutating func fraction() -> Double { Double(Int.random(in: 0...10_000, using: &rng)) / 10_000 }

        mutating func tile() -> TileRef {
            TileRef(jobID: text(maxBytes: 255, nonEmpty: true), tileID: int(UInt32.self), attempt: max(1, int(UInt32.self)))
        }

        mutating func code() -> WireErrorCode { WireErrorCode(rawValue: int(UInt16.self)) }

        mutating func image(_ role: PayloadRole) -> Payload {
            let format = [PayloadFormat.gray8, .rgb8, .rgba8].randomElement(using: &rng)!
            let width = Int.random(in: 1...9, using: &rng), height = Int.random(in: 1...9, using: &rng)
            let bytes = (0..<(width * height * format.bytesPerPixel)).map { _ in UInt8.random(in: 0...3, using: &rng) }
            return .image(role, format: format, width: width, height: height, pixels: Data(bytes))
        }

        mutating func status() -> JobStatusRecord {
            JobStatusRecord(jobID: text(maxBytes: 255, nonEmpty: true), state: WireJobState.allCases.randomElement(using: &rng)!,
                            tilesTotal: int(UInt32.self), tilesDone: int(UInt32.self), tilesRunning: int(UInt32.self),
                            tilesFailed: int(UInt32.self), progress: fraction(), resultBytes: int(UInt64.self), message: text(maxBytes: 1000))
        }

        mutating func message() -> Message {
            switch Command.allCases.randomElement(using: &rng)! {
            case .hello:
                return .hello(Hello(workerID: text(maxBytes: 255, nonEmpty: true), software: text(maxBytes: 255),
                                    versions: (0..<Int.random(in: 1...4, using: &rng)).map { _ in int(UInt8.self) },
                                    threads: int(UInt16.self), renderers: (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(maxBytes: 255) },
                                    models: (0..<Int.random(in: 0...3, using: &rng)).map { _ in ModelInfo(name: text(maxBytes: 500), hash: text(maxBytes: 255)) }))
            case .welcome:
                return .welcome(Welcome(version: int(UInt8.self), heartbeatMilliseconds: max(1, int(UInt32.self)), liveness: max(1, int(UInt8.self)), coordinatorID: text(maxBytes: 255)))
            case .ready: return .ready(Ready(credit: max(1, int(UInt16.self))))
            case .tile:
                var payloads: [Payload] = []
                if Bool.random(using: &rng) { payloads.append(image(.context)) }
                if Bool.random(using: &rng) { payloads.append(image(.mask)) }
                for _ in 0..<Int.random(in: 0...2, using: &rng) { payloads.append(image(.hint)) }
                return .tile(TileAssignment(tile: tile(), leaseMilliseconds: max(1, int(UInt32.self)),
                                            rect: TileRect(x: int(UInt32.self), y: int(UInt32.self), width: max(1, int(UInt32.self)), height: max(1, int(UInt32.self))),
                                            parameters: ParameterDocument(format: Bool.random(using: &rng) ? .json : .toml, text: text(maxBytes: 5000)),
                                            payloads: payloads.shuffled(using: &rng)))
            case .progress: return .progress(TileProgress(tile: tile(), fraction: fraction()))
            case .result: return .result(TileResult(tile: tile(), renderMilliseconds: int(UInt32.self), payloads: (0..<Int.random(in: 1...3, using: &rng)).map { _ in image(.result) }))
            case .failed: return .failed(TileFailure(tile: tile(), code: code(), retryable: Bool.random(using: &rng), message: text(maxBytes: 2000)))
            case .heartbeat: return .heartbeat(Heartbeat(state: WireWorkerState.allCases.randomElement(using: &rng)!, jobID: text(maxBytes: 255), tileID: int(UInt32.self)))
            case .disconnect: return .disconnect(Disconnect(code: code(), message: text(maxBytes: 300)))
            case .error: return .error(ErrorReport(requestID: int(UInt32.self), code: code(), message: text(maxBytes: 300)))
            case .revoke: return .revoke(Revoke(jobID: text(maxBytes: 255, nonEmpty: true), tileID: Bool.random(using: &rng) ? int(UInt32.self) : nil))
            case .submit:
                var payloads: [Payload] = []
                if Bool.random(using: &rng) { payloads.append(.opaque(.initImage, bytes: Data(text(maxBytes: 100).utf8))) }
                if Bool.random(using: &rng) { payloads.append(image(.mask)) }
                return .submit(SubmitJob(requestID: int(UInt32.self), spec: .json(text(maxBytes: 3000)), payloads: payloads))
            case .status: return .status(StatusRequest(requestID: int(UInt32.self), jobID: text(maxBytes: 255)))
            case .watch: return .watch(WatchRequest(requestID: int(UInt32.self), jobID: text(maxBytes: 255, nonEmpty: true)))
            case .cancel: return .cancel(CancelRequest(requestID: int(UInt32.self), jobID: text(maxBytes: 255, nonEmpty: true)))
            case .fetch: return .fetch(FetchRequest(requestID: int(UInt32.self), jobID: text(maxBytes: 255, nonEmpty: true), offset: int(UInt64.self), maxLength: max(1, int(UInt32.self))))
            case .workers: return .workers(WorkersRequest(requestID: int(UInt32.self)))
            case .upload:
                let chunk = Data(text(maxBytes: 200).utf8)
                let offset = UInt64.random(in: 0...1000, using: &rng)
                return .upload(UploadChunk(requestID: int(UInt32.self), uploadID: text(maxBytes: 255, nonEmpty: true), offset: offset,
                                           totalLength: offset + UInt64(chunk.count) + UInt64.random(in: 0...5, using: &rng), chunk: chunk))
            case .accepted: return .accepted(JobAccepted(requestID: int(UInt32.self), jobID: text(maxBytes: 255, nonEmpty: true)))
            case .jobStatus: return .jobStatus(JobStatusReply(requestID: int(UInt32.self), jobs: (0..<Int.random(in: 0...3, using: &rng)).map { _ in status() }))
            case .update: return .update(JobUpdate(requestID: int(UInt32.self), job: status()))
            case .workerList:
                return .workerList(WorkerListReply(requestID: int(UInt32.self), workers: (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                    WorkerRecord(workerID: text(maxBytes: 255, nonEmpty: true), state: WireWorkerState.allCases.randomElement(using: &rng)!,
                                 jobID: text(maxBytes: 255), tileID: int(UInt32.self), threads: int(UInt16.self),
                                 tilesDone: int(UInt64.self), lastSeenMilliseconds: int(UInt32.self))
                }))
            case .chunk:
                let chunk = Data((0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...1, using: &rng) })
                let offset = UInt64.random(in: 0...UInt64(UInt32.max), using: &rng)
                return .chunk(ResultChunk(requestID: int(UInt32.self), jobID: text(maxBytes: 255, nonEmpty: true), offset: offset,
                                          totalLength: offset + UInt64(chunk.count), chunk: chunk))
            case .ok: return .ok(OKReply(requestID: int(UInt32.self)))
            }
        }
    }

    func testRandomValidMessagesSurviveEncodeAndDecode() throws {
        var generator = Generator(rng: SplitMix64(seed: 2024))
        for iteration in 0..<1500 {
            let message = generator.message()
            let compression: PayloadCompression = iteration.isMultiple(of: 2) ? .lz4 : .none
            XCTAssertEqual(try Message.decode(try message.encode(compression: compression)), message, "iteration \(iteration): \(message)")
        }
    }
}
