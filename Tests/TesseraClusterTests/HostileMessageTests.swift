import Foundation
import TesseraImaging
import TesseraWire
import TesseraZMQ
import XCTest
@testable import TesseraCluster

/// Malformed, truncated, oversized, wrong-version and replayed messages are dropped, logged and counted; the
/// coordinator keeps serving.
final class HostileMessageTests: XCTestCase {
    func testBadMessagesAreCountedAndTheCoordinatorKeepsWorking() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }

        let context = try ZMQContext()
        let attacker = try context.makeSocket(.dealer)
        try attacker.setOptions([.linger(milliseconds: 0), .routingID(Data("attacker".utf8))])
        try attacker.connect(endpoints.worker)
        defer { attacker.close() }

        let hello = try Message.hello(Hello(workerID: "attacker", software: "test", threads: 1, renderers: ["lanczos"], models: [])).encode()
        func dropped(_ reason: String) -> Int { coordinator.counters.messagesDropped[reason] ?? 0 }
        func expectDrop(_ reason: String, _ frames: [Data], file: StaticString = #filePath, line: UInt = #line) {
            let before = dropped(reason)
            try? attacker.send(frames)
            XCTAssertTrue(
                ClusterTestSupport.waitFor(5) { dropped(reason) > before },
                "expected a drop counted as \(reason); counters: \(coordinator.counters.messagesDropped)",
                file: file, line: line)
        }

        // Garbage, a truncated HELLO, a wrong protocol version, an oversized header frame, too many frames.
        expectDrop("MALFORMED", [Data("definitely not tessera".utf8)])
        expectDrop("MALFORMED", [hello[0].prefix(hello[0].count / 2)])
        var wrongVersion = hello[0]
        wrongVersion[WireProtocol.signature.count] = 99
        expectDrop("UNSUPPORTED_VERSION", [wrongVersion])
        expectDrop("TOO_LARGE", [hello[0] + Data(repeating: 0, count: 2 << 20)])
        expectDrop("too_large", Array(repeating: Data([1]), count: 100))
        // A HELLO that offers only an unknown version.
        expectDrop("unsupported_version", try Message.hello(
            Hello(workerID: "attacker", software: "t", versions: [42], threads: 1, renderers: [], models: [])).encode())
        // Worker traffic before HELLO.
        expectDrop("not_registered", try Message.ready(Ready(credit: 1)).encode())

        // Register properly, then replay a PROGRESS for a tile never assigned, and a RESULT twice.
        try attacker.send(hello)
        XCTAssertNotNil(try attacker.receiveMessage(timeoutMilliseconds: 5000), "no WELCOME")
        let ghost = TileRef(jobID: "nojob", tileID: 3, attempt: 1)
        expectDrop("stale_attempt", try Message.progress(TileProgress(tile: ghost, fraction: 0.5)).encode())
        let replay = try Message.result(TileResult(
            tile: ghost, renderMilliseconds: 1,
            payloads: [.image(.result, format: .rgba8, width: 1, height: 1, pixels: Data([0, 0, 0, 0]))])).encode()
        expectDrop("unknown_job", replay)
        expectDrop("unknown_job", replay)

        // After all that, real work still flows.
        let worker = Worker(
            options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "honest"),
            renderer: ClassicalTileRenderer(), logger: ClusterTestSupport.quietLogger)
        worker.start()
        defer { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 10) }
        let client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(
            png: ClusterTestSupport.pngData(ClusterTestSupport.testImage(width: 40, height: 30), in: dir),
            spec: UpscaleJobSpec(scale: 2, tileWidth: 32, padding: 4))
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        XCTAssertGreaterThanOrEqual(coordinator.counters.totalDropped, 10)
    }

    func testALateDuplicateResultIsComparedAndIgnored() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let client = try ClusterClient(endpoint: endpoints.client)
        let source = ClusterTestSupport.testImage(width: 20, height: 20)
        let spec = UpscaleJobSpec(scale: 2, tileWidth: 32, padding: 0)  // 40×40 → 4 tiles
        let job = try client.submit(png: ClusterTestSupport.pngData(source, in: dir), spec: spec)

        // A hand-driven worker: take one tile, answer it twice (the second is the late duplicate).
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        try socket.setOptions([.linger(milliseconds: 0), .routingID(Data("manual".utf8))])
        try socket.connect(endpoints.worker)
        defer { socket.close() }
        try socket.send(.hello(Hello(workerID: "manual", software: "t", threads: 1, renderers: ["lanczos"], models: [])))
        try socket.send(.ready(Ready(credit: 1)))
        var assignment: TileAssignment?
        let deadline = Date().addingTimeInterval(10)
        while assignment == nil && Date() < deadline {
            if case .success(.tile(let t)) = try socket.receiveMessage(timeoutMilliseconds: 200)?.result { assignment = t }
        }
        let tile = try XCTUnwrap(assignment)
        let plan = try UpscalePlan(spec: spec, sourceWidth: 20, sourceHeight: 20)
        let pixels = try ClassicalUpscaler.renderTile(Int(tile.tile.tileID), plan: plan, source: SourceWindow(whole: source))
        let result = Message.result(TileResult(
            tile: tile.tile, renderMilliseconds: 1,
            payloads: [.image(.result, format: .rgba8, width: pixels.width, height: pixels.height, pixels: Data(pixels.pixels))]))
        try socket.send(result)
        try socket.send(result)
        XCTAssertTrue(ClusterTestSupport.waitFor(5) { coordinator.counters.duplicateResults == 1 })
        XCTAssertEqual(coordinator.counters.duplicateMismatches, 0)
        XCTAssertEqual(coordinator.counters.tilesCompleted, 1)
        XCTAssertEqual(try client.status(jobId: job).first?.tilesDone, 1)
    }

    func testEveryUpscaleTileCarriesItsSourceWindowAndAWorkerThatLostOneIsNotCountedAFailure() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(
            png: ClusterTestSupport.pngData(ClusterTestSupport.testImage(width: 40, height: 20), in: dir),
            spec: UpscaleJobSpec(scale: 2, tileWidth: 32, padding: 0))

        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        try socket.setOptions([.linger(milliseconds: 0), .routingID(Data("forgetful".utf8))])
        try socket.connect(endpoints.worker)
        defer { socket.close() }
        try socket.send(.hello(Hello(workerID: "forgetful", software: "t", threads: 1, renderers: ["lanczos"], models: [])))
        func nextTile() throws -> TileAssignment? {
            try socket.send(.ready(Ready(credit: 1)))
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if case .success(.tile(let t)) = try socket.receiveMessage(timeoutMilliseconds: 200)?.result { return t }
            }
            return nil
        }
        let plan = try UpscalePlan(spec: UpscaleJobSpec(scale: 2, tileWidth: 32, padding: 0), sourceWidth: 40, sourceHeight: 20)
        let first = try XCTUnwrap(nextTile())
        let second = try XCTUnwrap(nextTile())
        for t in [first, second] {
            let window = try JSONText.decode(TileParameters.self, t.parameters.text, what: "parameters").sourceWindow
            XCTAssertEqual(window, plan.sourceWindow(forTile: Int(t.tile.tileID)), "tile \(t.tile.tileID) names its window")
            let context = try XCTUnwrap(t.payloads.first { $0.role == .context }, "every tile carries its own window")
            XCTAssertEqual([context.width, context.height], [window?.width, window?.height])
        }
        // A worker may still answer UNKNOWN_JOB (retryable): hand both tiles back that way.
        for t in [first, second] {
            try socket.send(.failed(TileFailure(tile: t.tile, code: .unknownJob, retryable: true, message: "source not cached")))
        }
        let retry = try XCTUnwrap(nextTile())
        XCTAssertTrue(retry.payloads.contains { $0.role == .context }, "the retry carries its window again")
        XCTAssertEqual(retry.tile.attempt, 1, "a lost cache is not the tile's failure")
        XCTAssertEqual(try client.status(jobId: job).first?.tilesFailed, 0)
    }
}
