import Foundation
import TOMLKit
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// Distributed MultiDiffusion / Mixture of Diffusers on the tiny reference models: a 64×48 source at 2× is a 16×12
/// latent, cut into six 8×8 latent tiles (overlap 4) that are denoised in lockstep and fused at every model call.
final class DistributedTiledDiffusionTests: XCTestCase {
    static let checkpoint = DiffusionUpscaleTests.checkpoint
    static let source = ClusterTestSupport.testImage(width: 64, height: 48)

    static func spec(method: TiledDiffusionSettings.Method = .mixtureOfDiffusers) -> UpscaleJobSpec {
        var spec = DiffusionUpscaleTests.spec(seed: 7)
        spec.diffusion?.steps = 4
        spec.tiledDiffusion = TiledDiffusionJobSettings(
            TiledDiffusionSettings(method: method, tileWidth: 8, tileHeight: 8, overlap: 4, batchSize: 4))
        return spec
    }

    /// The in-process run of `spec()`, computed once.
    static let reference = Result {
        try InProcessLatentDiffusion.render(source: source, spec: spec(), renderer: try DiffusionUpscaleTests.workerRenderer())
    }

    func testTheJobFileTableNamesItsFieldsLikeTheExtension() throws {
        let toml = """
            upscaler = "diffusion"
            scale = 2
            [diffusion]
            checkpoint = "m"
            [tiled_diffusion]
            method = "multidiffusion"
            latent_tile_width = 64
            latent_tile_overlap = 16
            """
        let spec = try TOMLDecoder().decode(UpscaleJobSpec.self, from: toml)
        let settings = try XCTUnwrap(spec.tiledDiffusion).settings()
        XCTAssertEqual(settings, TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 64, tileHeight: 96, overlap: 16, batchSize: 4))
        var bad = spec
        bad.tiledDiffusion?.method = "demofusion"
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("tiled_diffusion.method"), "\($0)") }
        bad = spec
        bad.diffusion = nil
        bad.upscaler = "lanczos"
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("tiled_diffusion"), "\($0)") }
    }

    func testLatentStageTileIdsRoundTripAndLeaveOrdinaryTilesAlone() {
        let key = LatentStageKey(jobId: "j1f", stage: LatentStageKey.stage(ofCall: 5), tile: 11)
        XCTAssertEqual(LatentStageKey(jobId: "j1f", tileID: key.tileID), key)
        XCTAssertEqual(LatentStageKey(schedulerKey: key.schedulerKey), key)
        XCTAssertEqual(key.schedulerKey, TileKey(jobId: "j1f~6", index: 11))
        XCTAssertNil(LatentStageKey(jobId: "j1f", tileID: 11))
        XCTAssertNil(LatentStageKey(schedulerKey: TileKey(jobId: "j1f", index: 3)))
    }

    func testFloatsSurviveTheWireBitForBit() throws {
        let values: [Float] = [0, -0, 1.5, -3.25e-7, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 0.1]
        let back = try LatentWireCodec.floats(LatentWireCodec.bytes(values), count: values.count, what: "t")
        XCTAssertEqual(back.map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertThrowsError(try LatentWireCodec.floats(Data([1, 2, 3]), count: 1, what: "eps")) {
            XCTAssertTrue("\($0)".contains("eps"), "\($0)")
        }
    }

    func testTheInProcessJobEqualsTheImg2ImgPipelineWithTiledDiffusion() throws {
        let renderer = try DiffusionUpscaleTests.workerRenderer()
        let spec = Self.spec()
        let controlNet = try renderer.resolve(DiffusionUpscaleTests.controlNet, kind: .controlNet, label: "ControlNet")
        let job = try LatentDiffusionJob(spec: spec, source: Self.source, controlNetPath: controlNet)
        let viaGenerate = try job.finish(try renderer.pipeline(for: Self.checkpoint).generate(job.request).image)
        let reference = try Self.reference.get()
        XCTAssertEqual([reference.width, reference.height], [128, 96])
        XCTAssertEqual(reference, viaGenerate)
    }

    func testOneAndTwoWorkersGiveTheInProcessImageBitForBit() throws {
        let expected = try Self.reference.get()
        for workerCount in [1, 2] {
            let dir = ClusterTestSupport.temporaryDirectory(self)
            let coordinator = Coordinator(
                config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
            let endpoints = try coordinator.start()
            defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
            let workers = try (0..<workerCount).map { n in
                let diffusion = try DiffusionUpscaleTests.workerRenderer()
                return Worker(
                    options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w\(n)"),
                    renderer: RoutingTileRenderer([ClassicalTileRenderer(), diffusion, LatentTileRenderer(diffusion: diffusion)]),
                    logger: ClusterTestSupport.quietLogger)
            }
            workers.forEach { $0.start() }
            defer { workers.forEach { $0.requestStop() }; workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) } }

            let client = try ClusterClient(endpoint: endpoints.client)
            let jobId = try client.submit(png: ClusterTestSupport.pngData(Self.source, in: dir), spec: Self.spec(), sourceName: "s.png")
            var progress: [(done: UInt32, total: UInt32)] = []
            let final = try client.watch(jobId: jobId, giveUpSeconds: 600) { record, _ in
                if record.state == .running { progress.append((record.tilesDone, record.tilesTotal)) }
            }
            XCTAssertEqual(final.state, .done, "\(workerCount) worker(s): \(final.message)")
            // Status counts latent stage tiles: encode + 6 tiles per model call + decode.
            XCTAssertTrue(progress.contains { $0.done > 0 && $0.total >= 8 && $0.done <= $0.total }, "\(progress)")
            let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: jobId)), name: "output")
            XCTAssertEqual(output.rgba8, expected, "\(workerCount) worker(s): output differs from the in-process run")
            XCTAssertTrue(try XCTUnwrap(output.parameters).contains("Tiled Diffusion: \"method: Mixture of Diffusers"))
        }
    }

    func testAJobWaitsVisiblyWhenNoWorkerRendersLatentStages() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let worker = Worker(
            options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "classical"),
            renderer: ClassicalTileRenderer(), logger: ClusterTestSupport.quietLogger)
        worker.start()
        defer { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 20) }
        let client = try ClusterClient(endpoint: endpoints.client)
        _ = ClusterTestSupport.waitFor(10) { ((try? client.workers()) ?? []).count == 1 }
        let jobId = try client.submit(png: ClusterTestSupport.pngData(Self.source, in: dir), spec: Self.spec(), sourceName: "s.png")
        let waiting = ClusterTestSupport.waitFor(20) {
            (try? client.status(jobId: jobId).first?.message.contains("\"latent-diffusion\"")) ?? false
        }
        XCTAssertTrue(waiting, (try? client.status(jobId: jobId).first?.message) ?? "no status")
        try client.cancel(jobId: jobId)
        XCTAssertEqual(try client.status(jobId: jobId).first?.state, .cancelled)
    }
}
