import Foundation
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// `<lora:…>` tags in tiled-diffusion upscale jobs: resolved from the models folder like `generate` does, merged
/// only while a tile is evaluated, and the same bits in process and across the cluster.
final class TiledDiffusionLoRATests: XCTestCase {
    static let loraFixture = DiffusionUpscaleTests.models + "/lora_kohya.safetensors"

    /// A models folder (A1111 layout) holding the tiny reference LoRA as `tiny_style`.
    static let modelsDir: String = {
        let dir = NSTemporaryDirectory() + "tessera-td-lora-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir + "/models/Lora", withIntermediateDirectories: true)
        try? FileManager.default.copyItem(atPath: loraFixture, toPath: dir + "/models/Lora/tiny_style.safetensors")
        return dir
    }()

    static func renderer() throws -> DiffusionTileRenderer {
        try DiffusionTileRenderer(
            library: ModelLibrary(root: modelsDir, files: [.controlNet: [DiffusionUpscaleTests.controlNet]]),
            preload: [DiffusionUpscaleTests.checkpoint])
    }

    static func spec(prompt: String) -> UpscaleJobSpec {
        var spec = DistributedTiledDiffusionTests.spec()
        spec.diffusion?.prompt = prompt
        return spec
    }

    static let loraPrompt = "a stone wall <lora:tiny_style:0.7>"
    static let source = DistributedTiledDiffusionTests.source

    static let reference = Result {
        try InProcessLatentDiffusion.render(source: source, spec: spec(prompt: loraPrompt), renderer: try renderer())
    }

    func testTheInProcessJobWithALoRAEqualsGenerateWithTheSameLoRA() throws {
        let renderer = try Self.renderer()
        let spec = Self.spec(prompt: Self.loraPrompt)
        let controlNet = try renderer.resolve(DiffusionUpscaleTests.controlNet, kind: .controlNet, label: "ControlNet")
        let job = try LatentDiffusionJob(spec: spec, source: Self.source, controlNetPath: controlNet)
        let pipeline = try renderer.pipeline(for: DiffusionUpscaleTests.checkpoint)
        let viaGenerate = try job.finish(try pipeline.generate(job.request).image)
        let reference = try Self.reference.get()
        XCTAssertEqual(reference, viaGenerate)
        XCTAssertNotEqual(reference, try DistributedTiledDiffusionTests.reference.get(), "the LoRA should change the picture")
    }

    func testASessionLeavesTheSharedWeightsAsLoadedAndItsTilesSeeTheLoRA() throws {
        let pipeline = try Self.renderer().pipeline(for: DiffusionUpscaleTests.checkpoint)
        let stores = [pipeline.model.unet.parameters, pipeline.model.textEncoder.parameters]
        let before = stores.map { store in store.names.map { store[$0] } }
        let job = try LatentDiffusionJob(spec: Self.spec(prompt: Self.loraPrompt), source: Self.source, controlNetPath: nil)
        let session = try pipeline.latentTileSession(for: job.request)
        XCTAssertEqual(session.loras.names, ["tiny_style"])
        let crop = LatentTileFusion.crop(try session.encodeInitImage(), to: session.plan.grid.tiles[0])
        let round = LatentTileRound(call: 0, samplingStep: 0, sigma: 2, crops: [])
        let eps = try session.eps(tile: 0, crop: crop, round: round)
        XCTAssertEqual(stores.map { store in store.names.map { store[$0] } }, before, "weights must be restored after encoding and each tile")

        let plainJob = try LatentDiffusionJob(spec: Self.spec(prompt: "a stone wall"), source: Self.source, controlNetPath: nil)
        let plain = try pipeline.latentTileSession(for: plainJob.request)
        XCTAssertNotEqual(eps, try plain.eps(tile: 0, crop: crop, round: round), "the tile should see the LoRA")
    }

    func testAMissingLoRAIsOneErrorNamingIt() throws {
        let spec = Self.spec(prompt: "a stone wall <lora:no_such_style:1>")
        XCTAssertThrowsError(try InProcessLatentDiffusion.render(source: Self.source, spec: spec, renderer: try Self.renderer())) {
            guard case .modelNotFound? = $0 as? TileRenderError else { return XCTFail("\($0)") }
            XCTAssertTrue("\($0)".contains("LoRA \"no_such_style\""), "\($0)")
        }
        let noFolder = try DiffusionUpscaleTests.workerRenderer()
        XCTAssertThrowsError(try InProcessLatentDiffusion.render(source: Self.source, spec: spec, renderer: noFolder)) {
            XCTAssertTrue("\($0)".contains("no_such_style") && "\($0)".contains("--models-dir"), "\($0)")
        }
    }

    func testTwoWorkersGiveTheInProcessImageWithALoRABitForBitAndAJobWithAMissingLoRAWaitsNamingIt() throws {
        let expected = try Self.reference.get()
        let cluster = try LatentTestCluster(self, renderer: Self.renderer)
        defer { cluster.stop() }
        let client = cluster.client
        let output = try cluster.render(Self.source, spec: Self.spec(prompt: Self.loraPrompt))
        XCTAssertEqual(output.rgba8, expected, "output differs from the in-process run with the LoRA")

        let missing = try client.submit(png: try cluster.png(Self.source), spec: Self.spec(prompt: "a stone wall <lora:no_such_style:1>"), sourceName: "s.png")
        XCTAssertTrue(ClusterTestSupport.waitFor(10) {
            (try? client.status(jobId: missing).first?.message.contains("lora \"no_such_style\"")) == true
        }, "the waiting job's status names the LoRA no worker has")
        let state = try XCTUnwrap(client.status(jobId: missing).first?.state)
        XCTAssertTrue([.queued, .running].contains(state), "the job waits rather than fails: \(state)")
        try client.cancel(jobId: missing)
    }
}
