import Foundation
import Logging
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Shared helpers: temporary state directories, synthetic images, an in-process cluster on ephemeral loopback ports.
enum ClusterTestSupport {
    static func temporaryDirectory(_ test: XCTestCase, _ name: String = "cluster") -> String {
        let dir = NSTemporaryDirectory() + "tessera-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// A deterministic, detailed test picture (gradients and a checkerboard), so resampling errors show up.
    static func testImage(width: Int, height: Int) -> RGBAImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 4
                pixels[i] = UInt8((x * 255) / max(1, width - 1))
                pixels[i + 1] = UInt8((y * 255) / max(1, height - 1))
                pixels[i + 2] = ((x / 4 + y / 4) % 2 == 0) ? 230 : 20
            }
        }
        return try! RGBAImage(width: width, height: height, pixels: pixels)
    }

    static func pngData(_ image: RGBAImage, in dir: String) throws -> Data {
        let path = dir + "/source-\(UUID().uuidString).png"
        try image.writePNG(to: path, format: .rgb8)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func config(stateDir: String, heartbeatMs: Int = 200) -> CoordinatorConfig {
        var config = CoordinatorConfig()
        config.workerEndpoint = "tcp://127.0.0.1:*"
        config.clientEndpoint = "tcp://127.0.0.1:*"
        config.stateDir = stateDir
        config.heartbeatMs = heartbeatMs
        return config
    }

    /// A coordinator with its state in `dir/state` and `workers` classical workers ("w0", "w1", …), all in this
    /// process on loopback; stopped when the test ends. Returns the client endpoint.
    static func startClassicalCluster(_ test: XCTestCase, dir: String, workers count: Int, threads: Int) throws -> String {
        let coordinator = Coordinator(config: config(stateDir: dir + "/state"), logger: quietLogger)
        let endpoints = try coordinator.start()
        let workers = (0..<count).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: threads, workerId: "w\(n)"),
                renderer: ClassicalTileRenderer(), logger: quietLogger)
        }
        workers.forEach { $0.start() }
        // Teardown blocks run last-added first: workers stop before the coordinator.
        test.addTeardownBlock { coordinator.requestStop(); coordinator.waitUntilStopped() }
        test.addTeardownBlock {
            workers.forEach { $0.requestStop() }
            workers.forEach { $0.waitUntilStopped(timeoutSeconds: 10) }
        }
        return endpoints.client
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TESSERA_TEST_LOG"] != nil ? .debug : .critical
        return logger
    }

    /// Polls `condition` until true or `timeout` seconds pass.
    static func waitFor(_ timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }
}

extension ClusterTestSupport {
    /// `count` started workers that render classical tiles, diffusion tiles and latent stages, each with its own
    /// diffusion renderer from `renderer` (so each loads its own model copy, as separate machines would).
    static func latentDiffusionWorkers(
        _ count: Int, coordinator endpoint: String, renderer: () throws -> DiffusionTileRenderer
    ) throws -> [Worker] {
        let workers = try (0..<count).map { n in
            let diffusion = try renderer()
            return Worker(
                options: WorkerOptions(coordinator: endpoint, threads: 1, workerId: "w\(n)"),
                renderer: RoutingTileRenderer([ClassicalTileRenderer(), diffusion, LatentTileRenderer(diffusion: diffusion)]),
                logger: quietLogger)
        }
        workers.forEach { $0.start() }
        return workers
    }
}

/// A coordinator with started latent-diffusion workers and a client, for tests that run tiled-diffusion jobs on
/// a cluster; `stop()` shuts it down.
final class LatentTestCluster {
    let dir: String
    let coordinator: Coordinator
    let workers: [Worker]
    let client: ClusterClient

    init(_ test: XCTestCase, workers count: Int = 2, renderer: () throws -> DiffusionTileRenderer) throws {
        dir = ClusterTestSupport.temporaryDirectory(test)
        coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        do {
            workers = try ClusterTestSupport.latentDiffusionWorkers(count, coordinator: endpoints.worker, renderer: renderer)
            client = try ClusterClient(endpoint: endpoints.client)
        } catch {
            coordinator.requestStop()
            coordinator.waitUntilStopped()
            throw error
        }
    }

    /// `source` as PNG bytes for `client.submit`.
    func png(_ source: RGBAImage) throws -> Data { try ClusterTestSupport.pngData(source, in: dir) }

    /// Submits `spec` over `source`, waits for it and returns the output PNG; a job that does not end done fails
    /// the test with its message.
    func render(_ source: RGBAImage, spec: UpscaleJobSpec, file: StaticString = #filePath, line: UInt = #line) throws -> PNGImage {
        let jobId = try client.submit(png: try png(source), spec: spec, sourceName: "s.png")
        let final = try client.watch(jobId: jobId, giveUpSeconds: 600) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message, file: file, line: line)
        return try PNGImage.read(data: [UInt8](client.fetch(jobId: jobId)), name: "output")
    }

    func stop() {
        workers.forEach { $0.requestStop() }
        workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) }
        coordinator.requestStop()
        coordinator.waitUntilStopped()
    }
}
