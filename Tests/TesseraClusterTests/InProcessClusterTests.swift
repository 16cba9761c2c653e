import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Coordinator, workers and client in one process (threads, real sockets on loopback).
final class InProcessClusterTests: XCTestCase {
    func testAJobRunOnTwoWorkersEqualsTheSingleProcessResult() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let source = ClusterTestSupport.testImage(width: 90, height: 70)
        let spec = UpscaleJobSpec(upscaler: "lanczos", scale: 2, tileWidth: 64, padding: 8, order: .chess)
        let expected = try InProcessUpscaler.upscale(source: source, spec: spec)

        let client = try ClusterClient(
            endpoint: ClusterTestSupport.startClassicalCluster(self, dir: dir, workers: 2, threads: 2))
        let jobId = try client.submit(png: ClusterTestSupport.pngData(source, in: dir), spec: spec, sourceName: "t.png")
        let final = try client.watch(jobId: jobId, giveUpSeconds: 30) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)
        XCTAssertEqual(final.tilesDone, 9)
        let png = try client.fetch(jobId: jobId)
        let output = try PNGImage.read(data: [UInt8](png), name: "output")
        XCTAssertEqual(output.rgba8, expected)
        XCTAssertTrue(output.parameters?.contains("Postprocess upscaler: Lanczos") ?? false, output.parameters ?? "")
        XCTAssertEqual(try client.workers().map(\.workerID).sorted(), ["w0", "w1"])
    }

    func testALargeSourceIsUploadedInChunksAndGivesTheSameResult() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let source = ClusterTestSupport.testImage(width: 50, height: 40)
        let spec = UpscaleJobSpec(scale: 2, tileWidth: 32, padding: 4)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let worker = Worker(
            options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w"),
            renderer: ClassicalTileRenderer(), logger: ClusterTestSupport.quietLogger)
        worker.start()
        defer { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 10) }
        let client = try ClusterClient(endpoint: endpoints.client)
        client.inlineLimit = 50
        client.uploadChunkSize = 60
        let png = try ClusterTestSupport.pngData(source, in: dir)
        XCTAssertGreaterThan(png.count, 3 * 60, "the PNG must need several chunks")
        let job = try client.submit(png: png, spec: spec)
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "out").rgba8
        XCTAssertEqual(output, try InProcessUpscaler.upscale(source: source, spec: spec))
    }

    func testEachTileIsSentOnlyTheWindowOfTheSourceItReads() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let source = ClusterTestSupport.testImage(width: 120, height: 90)
        let spec = UpscaleJobSpec(upscaler: "lanczos", scale: 2, tileWidth: 64, padding: 8)
        let plan = try UpscalePlan(spec: spec, sourceWidth: 120, sourceHeight: 90)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let recorder = SourceWindowRecorder()
        let worker = Worker(
            options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w"),
            renderer: recorder, logger: ClusterTestSupport.quietLogger)
        worker.start()
        defer { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 10) }
        let client = try ClusterClient(endpoint: endpoints.client)
        let job = try client.submit(png: try ClusterTestSupport.pngData(source, in: dir), spec: spec)
        XCTAssertEqual(try client.watch(jobId: job, giveUpSeconds: 20) { _, _ in }.state, .done)
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: job)), name: "out").rgba8
        XCTAssertEqual(output, try InProcessUpscaler.upscale(source: source, spec: spec))

        let seen = recorder.windows
        XCTAssertEqual(Set(seen.keys), Set(0..<plan.tileCount))
        for (index, window) in seen {
            XCTAssertEqual(window.rect, plan.sourceWindow(forTile: index), "tile \(index)")
            XCTAssertEqual(window.pixels, try source.cropped(to: window.rect), "tile \(index) got the source's own pixels")
            XCTAssertLessThan(window.rect.area, source.width * source.height / 3, "tile \(index) got far less than the source")
        }
    }

    func testTheCoordinatorKeepsAnsweringWhileItChecksALargeSubmittedImage() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        // Noise compresses badly, so the coordinator takes a while to decode this PNG.
        var state: UInt32 = 99
        let (width, height) = (4000, 2600)
        let pixels: [UInt8] = (0..<(width * height * 4)).map { i in
            state = state &* 1_664_525 &+ 1_013_904_223
            return i % 4 == 3 ? 255 : UInt8(truncatingIfNeeded: state >> 24)
        }
        let png = try ClusterTestSupport.pngData(try RGBAImage(width: width, height: height, pixels: pixels), in: dir)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let submitter = try ClusterClient(endpoint: endpoints.client, timeoutSeconds: 60)
        submitter.inlineLimit = 60 << 20  // one SUBMIT, no upload chunks: the first message the loop sees is the job
        let asker = try ClusterClient(endpoint: endpoints.client)
        let answers = AnswerOrder()
        let submitted = expectation(description: "submit answered")
        nonisolated(unsafe) let client = submitter
        Thread.detachNewThread {
            let id = try? client.submit(png: png, spec: UpscaleJobSpec(scale: 1.25, tileWidth: 512, padding: 8))
            answers.record("submit", jobId: id)
            submitted.fulfill()
        }
        // The loop publishes its counters between turns: once they show the SUBMIT, the loop is free again while the
        // image is still being decoded (a blocking check would publish only after answering it).
        XCTAssertTrue(ClusterTestSupport.waitFor(30) { coordinator.counters.messagesReceived > 0 })
        _ = try asker.workers()
        answers.record("workers")
        wait(for: [submitted], timeout: 60)
        XCTAssertNotNil(answers.jobId, "the job is accepted")
        XCTAssertEqual(answers.order, ["workers", "submit"], "the question is answered while the image is checked")
    }

    func testSubmittingACorruptImageIsRejectedWithAReason() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let client = try ClusterClient(endpoint: endpoints.client)
        XCTAssertThrowsError(try client.submit(png: Data("not a png".utf8), spec: UpscaleJobSpec(), sourceName: "bad.png")) {
            XCTAssertTrue("\($0)".contains("bad.png"), "\($0)")
        }
        XCTAssertThrowsError(
            try client.submit(
                png: ClusterTestSupport.pngData(ClusterTestSupport.testImage(width: 8, height: 8), in: dir),
                spec: UpscaleJobSpec(padding: 9999))
        ) { XCTAssertTrue("\($0)".contains("padding"), "\($0)") }
    }

    func testAClientWithoutCoordinatorTimesOutWithAClearError() throws {
        let client = try ClusterClient(endpoint: "tcp://127.0.0.1:1", timeoutSeconds: 0.3)
        XCTAssertThrowsError(try client.status()) {
            XCTAssertTrue("\($0)".contains("no answer from coordinator at tcp://127.0.0.1:1"), "\($0)")
        }
    }
}

/// Renders like `ClassicalTileRenderer` and keeps the source window each tile arrived with.
private final class SourceWindowRecorder: WorkerTileRenderer, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int: SourceWindow] = [:]
    var names: [String] { ClassicalUpscaler.names }
    var models: [AdvertisedModel] { [] }
    var windows: [Int: SourceWindow] { lock.withLock { seen } }

    func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        lock.withLock { seen[work.tileIndex] = work.source }
        return try ClassicalTileRenderer().render(work, progress: progress)
    }
}

/// Which of two concurrent requests was answered first.
private final class AnswerOrder: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private var acceptedJob: String?
    var order: [String] { lock.withLock { names } }
    var jobId: String? { lock.withLock { acceptedJob } }

    func record(_ name: String, jobId: String? = nil) {
        lock.withLock {
            names.append(name)
            if let jobId { acceptedJob = jobId }
        }
    }
}
