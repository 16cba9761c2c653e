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
