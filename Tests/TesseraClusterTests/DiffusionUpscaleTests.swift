import Foundation
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// Diffusion upscaling (Ultimate SD Upscale style) on the tiny reference models: a 64×64 source, ×2, four tiles.
final class DiffusionUpscaleTests: XCTestCase {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference/models").path
    static let checkpoint = models + "/checkpoint_ldm.safetensors"
    static let controlNet = models + "/controlnet_ldm_fp16.safetensors"
    /// A worker's diffusion renderer with the tiny checkpoint loaded and the tiny ControlNet given as a model file
    /// (`tessera worker --model`), so the worker advertises both and the coordinator routes these jobs to it.
    static func workerRenderer() throws -> DiffusionTileRenderer {
        try DiffusionTileRenderer(library: ModelLibrary(root: nil, files: [.controlNet: [controlNet]]), preload: [checkpoint])
    }

    static func spec(seed: Int64 = 1, controlNet: Bool = true, sameSeed: Bool = false) -> UpscaleJobSpec {
        let settings = DiffusionUpscaleSettings(
            checkpoint: checkpoint, prompt: "a stone wall", negativePrompt: "blurry", sampler: "Euler a", steps: 4,
            cfgScale: 7, denoisingStrength: 0.5, seed: seed, sameSeedForAllTiles: sameSeed,
            controlNetTile: controlNet ? DiffusionControlNetTile(model: Self.controlNet, weight: 0.8) : nil)
        return UpscaleJobSpec(
            upscaler: DiffusionUpscaleSettings.rendererName, scale: 2, tileWidth: 64, padding: 16,
            diffusion: settings)
    }

    static let source = ClusterTestSupport.testImage(width: 64, height: 64)
    /// The in-process render of `spec()`, computed once: several tests compare against it.
    static let reference = Result { try InProcessUpscaler.upscale(source: source, spec: spec()) }

    func testADiffusionUpscaleInOneProcessIsDeterministicAndRedrawsThePreUpscale() throws {
        let spec = Self.spec()
        let first = try Self.reference.get()
        let second = try InProcessUpscaler.upscale(source: Self.source, spec: spec)
        XCTAssertEqual([first.width, first.height], [128, 128])
        XCTAssertEqual(first, second)
        let classical = try InProcessUpscaler.upscale(
            source: Self.source, spec: UpscaleJobSpec(upscaler: "lanczos", scale: 2, tileWidth: 64, padding: 16))
        XCTAssertNotEqual(first, classical, "the tiles must be redrawn, not just resampled")
    }

    func testADifferentSeedGivesADifferentImage() throws {
        let two = try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec(seed: 2))
        XCTAssertNotEqual(try Self.reference.get(), two)
    }

    func testTwoWorkersGiveTheSameImageAsOneProcessBitForBit() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let spec = Self.spec()
        let expected = try Self.reference.get()

        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let workers = try (0..<2).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w\(n)"),
                renderer: RoutingTileRenderer([
                    ClassicalTileRenderer(), try DiffusionUpscaleTests.workerRenderer(),
                ]),
                logger: ClusterTestSupport.quietLogger)
        }
        workers.forEach { $0.start() }
        defer { workers.forEach { $0.requestStop() }; workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) } }

        let client = try ClusterClient(endpoint: endpoints.client)
        let jobId = try client.submit(png: ClusterTestSupport.pngData(Self.source, in: dir), spec: spec, sourceName: "s.png")
        let final = try client.watch(jobId: jobId, giveUpSeconds: 120) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: jobId)), name: "output")
        XCTAssertEqual(output.rgba8, expected)
        let parameters = try XCTUnwrap(output.parameters)
        XCTAssertTrue(parameters.hasPrefix("a stone wall\nNegative prompt: blurry\nSteps: 4, Sampler: Euler a"), parameters)
        XCTAssertTrue(parameters.contains("Denoising strength: 0.5"), parameters)
        XCTAssertTrue(parameters.contains("Model: checkpoint_ldm"), parameters)
        XCTAssertTrue(parameters.contains("Module: tile_resample, Model: controlnet_ldm_fp16"), parameters)
    }

    func testAJobWhoseCheckpointNoWorkerHasWaitsAndSaysWhichModelIsMissing() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        var spec = Self.spec(controlNet: false)
        spec.diffusion?.checkpoint = "no_such_model"
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let worker = Worker(
            options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w"),
            renderer: RoutingTileRenderer([ClassicalTileRenderer(), try DiffusionTileRenderer()]),
            logger: ClusterTestSupport.quietLogger)
        worker.start()
        defer { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 10) }
        let client = try ClusterClient(endpoint: endpoints.client)
        let jobId = try client.submit(png: ClusterTestSupport.pngData(Self.source, in: dir), spec: spec)
        var record = try XCTUnwrap(client.status(jobId: jobId).first)
        let deadline = Date().addingTimeInterval(10)
        while !record.message.contains("no_such_model"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            record = try XCTUnwrap(client.status(jobId: jobId).first)
        }
        XCTAssertEqual(record.state, .queued, "the job waits for a worker that has the model; none was sent a tile")
        XCTAssertTrue(record.message.contains("checkpoint \"no_such_model\""), record.message)
        XCTAssertEqual(try client.workers().first?.tilesDone, 0)
    }

    func testAMissingCheckpointIsOneErrorThatNamesIt() throws {
        var spec = Self.spec(controlNet: false)
        spec.diffusion?.checkpoint = "/nonexistent/dir/model.safetensors"
        XCTAssertThrowsError(try InProcessUpscaler.upscale(source: Self.source, spec: spec)) { error in
            XCTAssertEqual(error as? TileRenderError,
                .modelNotFound("checkpoint \"/nonexistent/dir/model.safetensors\": no such file"))
        }
    }

    func testTileSeedsArePureFunctionsOfTheJobSeedAndTileIndex() {
        XCTAssertEqual((0..<3).map { TileSeed.seed(jobSeed: 10, tileIndex: $0, sameForAllTiles: false) }, [10, 11, 12])
        XCTAssertEqual((0..<3).map { TileSeed.seed(jobSeed: 10, tileIndex: $0, sameForAllTiles: true) }, [10, 10, 10])
        XCTAssertEqual(TileSeed.seed(jobSeed: Int64(UInt32.max), tileIndex: 2, sameForAllTiles: false), 1)
    }

    func testContextsArePaddedToLatentSizesAndCroppedBackWithTheirAlpha() throws {
        var image = RGBAImage(width: 70, height: 75, fill: (10, 20, 30, 128))
        image.setPixel(x: 69, y: 74, (200, 100, 50, 7))
        let padded = LatentSizedImage.padded(image)
        XCTAssertEqual([padded.width, padded.height], [72, 80])
        XCTAssertEqual(padded.pixel(x: 71, y: 79).r, 200, "edges are replicated")
        var rendered = padded
        for i in stride(from: 3, to: rendered.pixels.count, by: 4) { rendered.pixels[i] = 255 }
        let restored = try LatentSizedImage.restore(rendered, to: image)
        XCTAssertEqual(restored, image)
        XCTAssertEqual(LatentSizedImage.renderSide(40), 64)
    }

    func testAJobFileDescribesADiffusionUpscaleWithA1111Keys() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let path = dir + "/job.toml"
        try """
            input = "in.png"
            [job]
            upscaler = "diffusion"
            tile_width = 64
            padding = 16
            [job.diffusion]
            checkpoint = "checkpoint_ldm"
            prompt = "a stone wall"
            sampler_name = "DPM++ 2M"
            steps = 4
            cfg_scale = 5
            denoising_strength = 0.35
            seed = 7
            same_seed_for_all_tiles = true
            [job.diffusion.controlnet_tile]
            model = "controlnet_ldm_fp16"
            module = "tile_colorfix"
            threshold_a = 12
            weight = 0.5
            control_mode = "ControlNet is more important"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let settings = try XCTUnwrap(JobFile.load(path: path).spec.diffusion)
        XCTAssertEqual(settings, DiffusionUpscaleSettings(
            checkpoint: "checkpoint_ldm", prompt: "a stone wall", sampler: "DPM++ 2M", steps: 4, cfgScale: 5,
            denoisingStrength: 0.35, seed: 7, sameSeedForAllTiles: true,
            controlNetTile: DiffusionControlNetTile(
                model: "controlnet_ldm_fp16", module: "tile_colorfix", weight: 0.5, controlMode: "ControlNet is more important",
                thresholdA: 12)))
    }

    func testTileColorfixRedrawsDifferentlyFromTileResampleAndItsSlidersAreChecked() throws {
        var colorfix = Self.spec()
        colorfix.diffusion?.controlNetTile?.module = "tile_colorfix"
        colorfix.diffusion?.controlNetTile?.thresholdA = 4
        let image = try InProcessUpscaler.upscale(source: Self.source, spec: colorfix)
        XCTAssertEqual(image, try InProcessUpscaler.upscale(source: Self.source, spec: colorfix), "deterministic")
        XCTAssertNotEqual(image, try Self.reference.get(), "tile_colorfix pulls each step toward the hint's colours")
        let unit = try XCTUnwrap(colorfix.diffusion?.controlNetTile).controlNetUnit(path: Self.controlNet)
        XCTAssertEqual([unit.module, "\(unit.thresholdA)", "\(unit.thresholdB)"], ["tile_colorfix", "4.0", "-1.0"])

        func refusal(_ change: (inout DiffusionControlNetTile) -> Void) -> String {
            var unit = DiffusionControlNetTile(model: "cn")
            change(&unit)
            do { try unit.validate(); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal { $0.module = "tile_colorfix"; $0.thresholdA = 40 }.contains("controlnet_tile.threshold_a"))
        XCTAssertTrue(refusal { $0.module = "tile_colorfix"; $0.thresholdB = 1 }.contains("no such slider"))
        XCTAssertTrue(refusal { $0.thresholdA = 9 }.contains("1.0...8.0 for tile_resample"))
        XCTAssertEqual(refusal { $0.module = "tile_colorfix+sharp"; $0.thresholdA = 32; $0.thresholdB = 2 }, "accepted")
        XCTAssertTrue(refusal { $0.module = "tile_colorfix_sharp" }.contains("tile_colorfix+sharp"), "the error lists the modules")
    }

    func testTheSpecRoundTripsThroughJSONAndRejectsMismatchedSettings() throws {
        let spec = Self.spec()
        let decoded = try JSONDecoder().decode(UpscaleJobSpec.self, from: JSONEncoder().encode(spec))
        XCTAssertEqual(decoded, spec)
        var wrongUpscaler = spec
        wrongUpscaler.upscaler = "lanczos"
        XCTAssertThrowsError(try wrongUpscaler.validate()) { XCTAssertTrue("\($0)".contains("diffusion"), "\($0)") }
        var noSettings = spec
        noSettings.diffusion = nil
        XCTAssertThrowsError(try noSettings.validate()) { XCTAssertTrue("\($0)".contains("diffusion"), "\($0)") }
        var badStrength = spec
        badStrength.diffusion?.denoisingStrength = 0
        XCTAssertThrowsError(try badStrength.validate()) { XCTAssertTrue("\($0)".contains("denoising_strength"), "\($0)") }
        var badSampler = spec
        badSampler.diffusion?.sampler = "Nope 9"
        XCTAssertThrowsError(try badSampler.validate()) { XCTAssertTrue("\($0)".contains("sampler_name"), "\($0)") }
    }
}
