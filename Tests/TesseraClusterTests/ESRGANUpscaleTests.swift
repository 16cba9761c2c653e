import Foundation
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// ESRGAN-family models as the upscaler of a job and as the pre-upscaler of a diffusion upscale, on the tiny
/// reference RRDBNet (random weights, ×4, one block).
final class ESRGANUpscaleTests: XCTestCase {
    static let modelFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference/models/esrgan/RRDBNet_x4_basicsr_fp16.safetensors").path
    static let modelName = "rrdbnet_x4_basicsr_fp16"
    static let source = ClusterTestSupport.testImage(width: 48, height: 40)

    /// A models folder laid out like A1111's (`models/ESRGAN/<file>`).
    static func modelsFolder(_ test: XCTestCase) throws -> ModelLibrary {
        let root = ClusterTestSupport.temporaryDirectory(test, "esrgan-models")
        try FileManager.default.createDirectory(atPath: root + "/ESRGAN", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: root + "/ESRGAN/RRDBNet_x4_basicsr_fp16.safetensors", withDestinationPath: modelFile)
        return ModelLibrary(root: root)
    }

    static func spec() -> UpscaleJobSpec {
        UpscaleJobSpec(upscaler: modelName, scale: 2, tileWidth: 48, padding: 8)
    }

    func testUSDUFactorListsFollowTheSpec() {
        let expected: [Int: [Int]] = [1: [2], 2: [2], 3: [3], 4: [4], 5: [3, 2], 6: [3, 2], 7: [4, 2], 8: [4, 2], 9: [3, 3]]
        for (scale, factors) in expected {
            XCTAssertEqual(ESRGANUpscaleChain.factors(forScale: scale), factors, "scale \(scale)")
        }
    }

    func testAFourTimesModelAskedForTwoTimesRunsOnceThenLanczosToTheTarget() throws {
        typealias Size = ESRGANUpscaleChain.ImageSize
        let exact = try ESRGANUpscaleChain(source: Size(64, 48), target: Size(128, 96), modelScale: 4)
        XCTAssertEqual(exact.factors, [2])
        XCTAssertEqual(exact.steps, [.model(from: Size(64, 48), to: Size(256, 192)), .lanczos(from: Size(256, 192), to: Size(128, 96))])
        // 2.5×: USDU rounds the factor up to 3, the driver snaps to multiples of 8, then Lanczos to the target.
        let fractional = try ESRGANUpscaleChain(source: Size(100, 60), target: Size(250, 150), modelScale: 4)
        XCTAssertEqual(fractional.factors, [3])
        XCTAssertEqual(fractional.steps, [
            .model(from: Size(100, 60), to: Size(400, 240)), .lanczos(from: Size(400, 240), to: Size(296, 176)),
            .lanczos(from: Size(296, 176), to: Size(250, 150)),
        ])
        // 8× with a 2× model: factors [4, 2]; the 4 needs two model passes.
        let twice = try ESRGANUpscaleChain(source: Size(16, 16), target: Size(128, 128), modelScale: 2)
        XCTAssertEqual(twice.steps, [
            .model(from: Size(16, 16), to: Size(32, 32)), .model(from: Size(32, 32), to: Size(64, 64)),
            .model(from: Size(64, 64), to: Size(128, 128)),
        ])
    }

    func testARegionIsThatPartOfTheWholePreUpscaledImage() throws {
        let store = try ESRGANModelStore(library: nil)
        // Context of 24 source px covers this one-block net's receptive field, so regions agree with the whole.
        let upscaler = ESRGANRegionUpscaler(network: try store.network(named: Self.modelFile), margin: 24)
        let whole = try upscaler.render(region: PixelRect(x: 0, y: 0, width: 96, height: 80), of: Self.source, targetWidth: 96, targetHeight: 80)
        let region = PixelRect(x: 30, y: 18, width: 40, height: 50)
        let part = try upscaler.render(region: region, of: Self.source, targetWidth: 96, targetHeight: 80)
        let expected = try whole.cropped(to: region)
        let largest = zip(part.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(largest, 1, "only float rounding across different crops may differ")
        XCTAssertNotEqual(whole, try Resampler.resize(Self.source, width: 96, height: 80), "the model must change the image")
    }

    func testAnESRGANUpscaleInOneProcessEqualsTwoWorkersBitForBit() throws {
        let library = try Self.modelsFolder(self)
        let renderer = try ESRGANTileRenderer(library: library)
        XCTAssertEqual(renderer.names, [ESRGANTileRenderer.rendererName])
        XCTAssertEqual(renderer.models, [AdvertisedModel(kind: .upscaler, name: Self.modelName)],
                       "the worker advertises the ESRGAN models it has, so upscaler jobs are routed to it")
        let expected = try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec(), renderer: renderer)
        XCTAssertEqual([expected.width, expected.height], [96, 80])

        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let workers = try (0..<2).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w\(n)"),
                renderer: RoutingTileRenderer([ClassicalTileRenderer(), try ESRGANTileRenderer(library: library)]),
                logger: ClusterTestSupport.quietLogger)
        }
        workers.forEach { $0.start() }
        defer { workers.forEach { $0.requestStop() }; workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) } }
        let client = try ClusterClient(endpoint: endpoints.client)
        let jobId = try client.submit(png: ClusterTestSupport.pngData(Self.source, in: dir), spec: Self.spec(), sourceName: "s.png")
        let final = try client.watch(jobId: jobId, giveUpSeconds: 120) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: jobId)), name: "output")
        XCTAssertEqual(output.rgba8, expected)
    }

    func testADiffusionUpscaleWithAnESRGANPreUpscalerRedrawsTheModelsImage() throws {
        let library = try Self.modelsFolder(self)
        // One 64×64 tile and one denoising step keep the tiny models fast.
        var spec = DiffusionUpscaleTests.spec(controlNet: false)
        spec.diffusion?.preUpscaler = Self.modelName
        spec.diffusion?.steps = 2
        XCTAssertNoThrow(try spec.validate())
        let renderer = try DiffusionTileRenderer(library: library)
        XCTAssertNoThrow(try renderer.checkModels(try XCTUnwrap(spec.diffusion)))
        let source = ClusterTestSupport.testImage(width: 32, height: 32)
        let esrgan = try InProcessUpscaler.upscale(source: source, spec: spec, renderer: renderer)
        XCTAssertEqual([esrgan.width, esrgan.height], [64, 64])
        var lanczos = spec
        lanczos.diffusion?.preUpscaler = "lanczos"
        XCTAssertNotEqual(esrgan, try InProcessUpscaler.upscale(source: source, spec: lanczos, renderer: renderer),
                          "the ESRGAN pre-upscale, not Lanczos, must feed the redraw")
    }

    func testAMissingESRGANModelIsOneErrorThatNamesIt() throws {
        let library = try Self.modelsFolder(self)
        var spec = Self.spec()
        spec.upscaler = "no_such_esrgan"
        XCTAssertThrowsError(try InProcessUpscaler.upscale(
            source: Self.source, spec: spec, renderer: try ESRGANTileRenderer(library: library))) { error in
            guard case .modelNotFound(let message)? = error as? TileRenderError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("no_such_esrgan") && message.contains("ESRGAN"), message)
        }
        var diffusion = DiffusionUpscaleTests.spec(controlNet: false)
        diffusion.diffusion?.preUpscaler = "no_such_esrgan"
        XCTAssertThrowsError(try InProcessUpscaler.upscale(
            source: DiffusionUpscaleTests.source, spec: diffusion, renderer: try DiffusionTileRenderer(library: library))) { error in
            guard case .modelNotFound(let message)? = error as? TileRenderError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("no_such_esrgan"), message)
        }
    }
}
