import TesseraImaging
import TesseraPipelines
import TesseraTensor
import XCTest

/// Tiled Diffusion through `StableDiffusionPipeline.generate` on the tiny reference models.
final class TiledDiffusionPipelineTests: XCTestCase {
    private func hintFile(width: Int, height: Int) throws -> String {
        let path = PipelineFixtures.temporaryFile("tiled-hint-\(width)x\(height).png")
        try PipelineFixtures.gradient(width: width, height: height).writePNG(to: path, format: .rgb8)
        return path
    }

    /// 128×128 img2img (16×16 latent) with a ControlNet unit.
    private func img2img(steps: Int = 3) throws -> GenerationRequest {
        var request = PipelineFixtures.request(steps: steps)
        request.width = 128
        request.height = 128
        request.mode = .img2img(initImage: try PipelineFixtures.gradient(width: 128, height: 128))
        request.denoisingStrength = 0.6
        request.sampler = "Euler a"
        return request
    }

    private func pipeline() throws -> StableDiffusionPipeline {
        StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
    }

    func testOneTileMultiDiffusionEqualsTheUntiledPipelineExactly() throws {
        let pipeline = try pipeline()
        var request = PipelineFixtures.request(steps: 3)
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,guidance-start=0.4,image=\(try hintFile(width: 64, height: 64))")]
        let untiled = try pipeline.generate(request)
        request.tiledDiffusion = TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4)
        let tiled = try pipeline.generate(request)
        XCTAssertEqual(tiled.image, untiled.image)
        XCTAssertEqual(tiled.modelCalls, untiled.modelCalls)
        XCTAssertEqual(tiled.controlNetCalls, untiled.controlNetCalls)
        XCTAssertTrue(tiled.parameters.extra.contains { $0.key == "Tiled Diffusion" && $0.value.contains("method: MultiDiffusion, tile: 8x8, overlap: 4") },
                      "\(tiled.parameters.extra)")
        XCTAssertFalse(untiled.parameters.extra.contains { $0.key == "Tiled Diffusion" })
    }

    func testOneTileMultiDiffusionInpaintEqualsTheUntiledInpaintExactly() throws {
        let pipeline = try pipeline()
        var request = PipelineFixtures.request(steps: 3)
        request.sampler = "Euler a"
        request.mode = .inpaint(initImage: try PipelineFixtures.gradient(), mask: try PipelineFixtures.leftMask())
        request.denoisingStrength = 0.8
        let untiled = try pipeline.generate(request)
        request.tiledDiffusion = TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4)
        XCTAssertEqual(try pipeline.generate(request).image, untiled.image)
    }

    func testOneTileMixtureOfDiffusersMatchesTheUntiledPipelineUpToRounding() throws {
        let pipeline = try pipeline()
        var request = try img2img()
        request.width = 64
        request.height = 64
        request.mode = .img2img(initImage: try PipelineFixtures.gradient())
        let untiled = try pipeline.generate(request)
        request.tiledDiffusion = TiledDiffusionSettings(method: .mixtureOfDiffusers, tileWidth: 8, tileHeight: 8, overlap: 0)
        let tiled = try pipeline.generate(request)
        // eps·g/g is eps up to one float rounding, so pixels may differ by at most one 8-bit step.
        let diff = zip(tiled.image.pixels, untiled.image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(diff, 1)
    }

    func testSeveralTilesAreFusedDeterministicallyWhateverTheTileBatchSize() throws {
        let pipeline = try pipeline()
        // 128×64 → a 16×8 latent: three 8×8 tiles overlapping by 4.
        var request = try img2img(steps: 2)
        request.height = 64
        request.mode = .img2img(initImage: try PipelineFixtures.gradient(width: 128, height: 64))
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,image=\(try hintFile(width: 128, height: 64))")]
        let untiled = try pipeline.generate(request)
        var byMethod: [RGBAImage] = []
        for method in TiledDiffusionSettings.Method.allCases {
            var images: [RGBAImage] = []
            for batch in [1, 8] {
                request.tiledDiffusion = TiledDiffusionSettings(method: method, tileWidth: 8, tileHeight: 8, overlap: 4, batchSize: batch)
                let result = try pipeline.generate(request)
                XCTAssertEqual(result.modelCalls, untiled.modelCalls, "\(method)")
                XCTAssertEqual(result.controlNetCalls, untiled.controlNetCalls, "\(method)")
                images.append(result.image)
            }
            XCTAssertEqual(images[0], images[1], "\(method): tile batch size changed the result")
            XCTAssertNotEqual(images[0], untiled.image, "\(method): a 3-tile grid should not reproduce the untiled run")
            byMethod.append(images[0])
        }
        XCTAssertNotEqual(byMethod[0], byMethod[1], "MultiDiffusion and Mixture of Diffusers should differ")
    }

    func testATileSeesTheControlNetHintOfItsOwnPixelBox() throws {
        let pipeline = try pipeline()
        let image = try PipelineFixtures.gradient(width: 128, height: 64)
        // Tile 1 of the 16×8 latent grid (8×8 tiles, overlap 4) sits at latent x = 4: pixels 32..<96.
        let box = PixelRect(x: 32, y: 0, width: 64, height: 64)
        let cropPath = PipelineFixtures.temporaryFile("tiled-hint-crop.png")
        try image.cropped(to: box).writePNG(to: cropPath, format: .rgb8)
        var whole = try img2img(steps: 2)
        whole.height = 64
        whole.mode = .img2img(initImage: image)
        whole.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,image=\(try hintFile(width: 128, height: 64))")]
        whole.tiledDiffusion = TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4)
        var single = whole
        single.width = 64
        single.mode = .img2img(initImage: try image.cropped(to: box))
        single.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,image=\(cropPath)")]

        let tiled = try pipeline.latentTileSession(for: whole)
        let alone = try pipeline.latentTileSession(for: single)
        XCTAssertEqual(tiled.plan.grid.tiles[1], LatentTile(x: 4, y: 0, width: 8, height: 8))
        XCTAssertEqual(alone.plan.grid.tiles.count, 1)
        let crop = Tensor(shape: [1, 4, 8, 8], data: (0..<256).map { Float($0 % 17) / 8 - 1 })
        let round = LatentTileRound(call: 0, samplingStep: 0, sigma: 3, crops: [])
        let eps = try tiled.eps(tile: 1, crop: crop, round: round)
        XCTAssertEqual(eps, try alone.eps(tile: 0, crop: crop, round: round))
        XCTAssertNotEqual(eps, try tiled.eps(tile: 0, crop: crop, round: round), "tiles 0 and 1 see different hints")
    }

    func testUniPCIsRefusedWithTiledDiffusionLikeTheExtension() throws {
        var request = PipelineFixtures.request(steps: 2)
        request.sampler = "UniPC"
        request.tiledDiffusion = .txt2imgDefault
        XCTAssertThrowsError(try pipeline().generate(request)) {
            XCTAssertTrue("\($0)".contains("UniPC") && "\($0)".contains("Tiled Diffusion"), "\($0)")
        }
    }
}
