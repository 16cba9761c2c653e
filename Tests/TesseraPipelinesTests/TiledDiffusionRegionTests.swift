import Foundation
import TesseraPrompt
import TesseraSampling
import TesseraTensor
import XCTest
@testable import TesseraPipelines

/// Tiled Diffusion's Region Prompt Control (spec §7.1, §7.3): region boxes, feather masks, the fusion of Background
/// and Foreground regions, region noise, the saved-config format and the infotext.
final class TiledDiffusionRegionTests: XCTestCase {
    // MARK: Geometry

    func testTheBoxIsIntOfTheOriginAndCeilOfTheSizeCutToTheCanvas() {
        let region = TiledDiffusionRegion(x: 0.33, y: 0.5, width: 0.5, height: 0.7)
        // x = int(3.96) = 3, w = ceil(6.0) = 6; y = int(4) = 4, h = ceil(5.6) = 6 → cut to 8 − 4 = 4.
        XCTAssertEqual(region.latentBox(latentWidth: 12, latentHeight: 8), LatentTile(x: 3, y: 4, width: 6, height: 4))
    }

    func testTheFeatherMaskRisesQuadraticallyFromTheEdgesAndLeavesOddMiddlesAtOne() {
        // 10×10, ratio 0.4: radius int(5·0.4) = 2; d = 0 → 0, d = 1 → 0.25, d ≥ 2 → 1.
        let even = TiledDiffusionRegion.featherMask(width: 10, height: 10, ratio: 0.4)
        XCTAssertEqual(even[0], 0)
        XCTAssertEqual(even[1 * 10 + 1], 0.25)
        XCTAssertEqual(even[1 * 10 + 5], 0.25, "row 1 is one cell from the top edge")
        XCTAssertEqual(even[8 * 10 + 8], 0.25, "mirrored into the bottom-right quadrant")
        XCTAssertEqual(even[9 * 10 + 9], 0)
        XCTAssertEqual(even[2 * 10 + 2], 1)
        // 5×5, ratio 1: radius 2, only i, j < 2 are visited; the middle row and column stay 1 (the extension's loop).
        let odd = TiledDiffusionRegion.featherMask(width: 5, height: 5, ratio: 1)
        XCTAssertEqual(odd[0 * 5 + 2], 1)
        XCTAssertEqual(odd[2 * 5 + 0], 1)
        XCTAssertEqual(odd[1 * 5 + 1], 0.25)
        XCTAssertEqual(odd[3 * 5 + 3], 0.25)
        XCTAssertEqual(odd[4 * 5 + 3], 0, "row 4 is on the bottom edge")
        XCTAssertEqual(TiledDiffusionRegion.featherMask(width: 6, height: 6, ratio: 0), [Float](repeating: 1, count: 36))
    }

    // MARK: Fusion

    func testABackgroundRegionCountsAsOneMoreTileAndAForegroundIsBlendedWithItsMask() throws {
        // One 8×8 grid tile over an 8×8 latent; a Background region over the left half; a Foreground region over the
        // right half with feather 0 (mask 1).
        let grid = try TiledDiffusionGrid(latentWidth: 8, latentHeight: 8, tileWidth: 8, tileHeight: 8, overlap: 0)
        let regions = [TiledDiffusionRegion(x: 0, y: 0, width: 0.5, height: 1, seed: 1),
                       TiledDiffusionRegion(x: 0.5, y: 0, width: 0.5, height: 1, blendMode: .foreground, featherRatio: 0, seed: 2)]
        let fusion = try LatentTileFusion(grid: grid, method: .multiDiffusion, regions: regions, drawGrid: true)
        XCTAssertEqual(fusion.tiles.count, 3)
        XCTAssertEqual(fusion.layers, [.grid, .background(region: 0), .foreground(region: 1)])
        let x = Tensor(shape: [1, 1, 8, 8], repeating: 0)
        let eps = [Tensor(shape: [1, 1, 8, 8], repeating: -1), Tensor(shape: [1, 1, 8, 4], repeating: -3),
                   Tensor(shape: [1, 1, 8, 4], repeating: -5)]
        let x0 = try fusion.denoised(x: x, sigma: 1, tileEps: eps)
        XCTAssertEqual(x0.data[0], 2, "left: (1 + 3) / 2")
        XCTAssertEqual(x0.data[7], 5, "right: the foreground replaces the grid where its mask is 1")
    }

    func testAFeatheredForegroundKeepsTheBackgroundAtItsEdge() throws {
        let grid = try TiledDiffusionGrid(latentWidth: 8, latentHeight: 8, tileWidth: 8, tileHeight: 8, overlap: 0)
        let region = TiledDiffusionRegion(x: 0, y: 0, width: 1, height: 1, blendMode: .foreground, featherRatio: 0.5, seed: 1)
        let fusion = try LatentTileFusion(grid: grid, method: .mixtureOfDiffusers, regions: [region], drawGrid: true)
        let eps = [Tensor(shape: [1, 1, 8, 8], repeating: 1), Tensor(shape: [1, 1, 8, 8], repeating: 3)]
        let fused = try fusion.fusedEps(tileEps: eps, channels: 1)
        // radius int(4·0.5) = 2: the edge cell has mask 0, (1,1) has 0.25, the centre 1.
        XCTAssertEqual(fused.data[0], 1, accuracy: 1e-6)
        XCTAssertEqual(fused.data[1 * 8 + 1], 1 * 0.75 + 3 * 0.25, accuracy: 1e-6)
        XCTAssertEqual(fused.data[3 * 8 + 3], 3, accuracy: 1e-6)
    }

    func testACellWithoutBackgroundIsAnErrorNamingTheWayOut() throws {
        let grid = try TiledDiffusionGrid(latentWidth: 8, latentHeight: 8, tileWidth: 8, tileHeight: 8, overlap: 0)
        let region = TiledDiffusionRegion(x: 0.5, y: 0, width: 0.5, height: 1, blendMode: .foreground, seed: 1)
        XCTAssertThrowsError(try LatentTileFusion(grid: grid, method: .multiDiffusion, regions: [region], drawGrid: false)) {
            XCTAssertTrue("\($0)".contains("draw_background"), "\($0)")
            XCTAssertTrue("\($0)".contains("(0, 0)"), "\($0)")
        }
        XCTAssertNoThrow(try LatentTileFusion(grid: grid, method: .multiDiffusion, regions: [region], drawGrid: true))
    }

    // MARK: Noise

    func testRegionNoiseIsTorchsCPUStreamOfTheRegionSeedPastedIntoItsBox() throws {
        let base = Tensor(shape: [1, 2, 4, 6], repeating: 9)
        let background = TiledDiffusionRegion(x: 0, y: 0, width: 0.5, height: 1, seed: 11)
        let foreground = TiledDiffusionRegion(x: 0.5, y: 0.5, width: 0.5, height: 0.5, blendMode: .foreground, seed: 12)
        let noise = try RegionNoise.apply([background, foreground], to: base)
        var g11 = TorchCPUGenerator(seed: 11), g12 = TorchCPUGenerator(seed: 12)
        let drawn11 = g11.randn(count: 2 * 4 * 3), drawn12 = g12.randn(count: 2 * 2 * 3)
        // Channel 1, row 2, col 1: inside the background box (3 wide).
        XCTAssertEqual(noise.data[24 + 2 * 6 + 1], drawn11[12 + 2 * 3 + 1])
        // Channel 0, row 3, col 4: the foreground box starts at (3, 2).
        XCTAssertEqual(noise.data[3 * 6 + 4], drawn12[1 * 3 + 1])
        XCTAssertEqual(noise.data[0 * 6 + 5], 9, "outside every region the job's noise stays")
        XCTAssertThrowsError(try RegionNoise.apply([TiledDiffusionRegion(seed: -1)], to: base)) {
            XCTAssertTrue("\($0)".contains("regions[0].seed"), "\($0)")
        }
    }

    func testOverlappingBackgroundRegionsAverageTheirNoise() throws {
        let base = Tensor(shape: [1, 1, 2, 2], repeating: 0)
        let a = TiledDiffusionRegion(x: 0, y: 0, width: 1, height: 1, seed: 3)
        let b = TiledDiffusionRegion(x: 0, y: 0, width: 1, height: 1, seed: 4)
        let noise = try RegionNoise.apply([a, b], to: base)
        var g3 = TorchCPUGenerator(seed: 3), g4 = TorchCPUGenerator(seed: 4)
        let (n3, n4) = (g3.randn(count: 4), g4.randn(count: 4))
        XCTAssertEqual(noise.data, (0..<4).map { (n3[$0] + n4[$0]) / 2 })
    }

    // MARK: Settings, config files, infotext

    func testTheExtensionsSavedConfigReadsAsItIsAndDisabledRegionsAreDropped() throws {
        let json = """
            {"bbox_controls": [
              {"enable": false, "x": 0.4, "y": 0.4, "w": 0.2, "h": 0.2, "prompt": "", "neg_prompt": "", "blend_mode": "Background", "feather_ratio": 0.2, "seed": -1},
              {"enable": true, "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4, "prompt": "a cat, sitting", "neg_prompt": "dog", "blend_mode": "Foreground", "feather_ratio": 0.5, "seed": 42}
            ]}
            """
        let regions = try [TiledDiffusionRegion](regionsJSON: Data(json.utf8), source: "regions.json")
        XCTAssertEqual(regions, [TiledDiffusionRegion(x: 0.1, y: 0.2, width: 0.3, height: 0.4, prompt: "a cat, sitting",
                                                      negativePrompt: "dog", blendMode: .foreground, featherRatio: 0.5, seed: 42)])
        let bare = try [TiledDiffusionRegion](regionsJSON: Data(#"[{"x": 0, "w": 1, "h": 1}]"#.utf8), source: "r.json")
        XCTAssertEqual(bare, [TiledDiffusionRegion(x: 0, width: 1, height: 1)], "missing keys take the extension's defaults")
        XCTAssertThrowsError(try [TiledDiffusionRegion](regionsJSON: Data(#"[{"blend_mode": "Middle"}]"#.utf8), source: "r.json")) {
            XCTAssertTrue("\($0)".hasPrefix("r.json:"), "\($0)")
            XCTAssertTrue("\($0)".contains("[0].blend_mode"), "\($0)")
        }
    }

    func testValidationNamesTheRegionAndField() {
        var settings = TiledDiffusionSettings.img2imgDefault
        settings.regions = [TiledDiffusionRegion(), TiledDiffusionRegion(x: 1.2)]
        XCTAssertThrowsError(try settings.validate()) { XCTAssertTrue("\($0)".hasPrefix("regions[1].x:"), "\($0)") }
        settings.regions = [TiledDiffusionRegion(featherRatio: 2)]
        XCTAssertThrowsError(try settings.validate()) { XCTAssertTrue("\($0)".hasPrefix("regions[0].feather_ratio:"), "\($0)") }
        settings.regions = [TiledDiffusionRegion(prompt: "<lora:x:1>")]
        XCTAssertThrowsError(try settings.validate()) { XCTAssertTrue("\($0)".contains("LoRA"), "\($0)") }
    }

    func testTheInfotextRecordsTheRegionsAndReadsThemBack() throws {
        var settings = TiledDiffusionSettings.img2imgDefault
        settings.regions = [TiledDiffusionRegion(x: 0.25, y: 0, width: 0.5, height: 1, prompt: "a \"red\" door, open",
                                                 blendMode: .foreground, seed: 5)]
        settings.drawBackground = true
        var parameters = GenerationParameters(prompt: "house", steps: 4, sampler: "Euler", seed: 1, width: 64, height: 64, rng: "CPU")
        parameters.extra = settings.infotextFields
        let text = parameters.infotext.text
        XCTAssertTrue(text.contains("draw background: true"), text)
        let request = try GenerationRequest(parameters: GenerationParameters(infotext: Infotext(parsing: text)))
        XCTAssertEqual(request.tiledDiffusion, settings)
    }

    // MARK: Pipeline

    private func pipeline() throws -> StableDiffusionPipeline {
        StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
    }

    /// A full-canvas region over an 8×8 latent is a one-tile grid with its own prompt and noise: with Euler (no step
    /// noise) the job is exactly the untiled run with `prompt, region prompt` and the region seed on the CPU RNG.
    private func assertFullCanvasRegionIsTheUntiledRun(_ mode: TiledDiffusionRegion.BlendMode, drawGrid: Bool) throws {
        let pipeline = try pipeline()
        var request = PipelineFixtures.request(prompt: "a house", seed: 1234, steps: 3)
        request.rng = .nv
        var settings = TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4)
        settings.regions = [TiledDiffusionRegion(x: 0, y: 0, width: 1, height: 1, prompt: "red roof", negativePrompt: "fog",
                                                 blendMode: mode, featherRatio: 0, seed: 77)]
        settings.drawBackground = drawGrid
        request.tiledDiffusion = settings
        let regional = try pipeline.generate(request)

        var untiled = PipelineFixtures.request(prompt: "a house, red roof", seed: 77, steps: 3)
        untiled.negativePrompt = "blurry, fog"
        untiled.rng = .cpu
        XCTAssertEqual(regional.image, try pipeline.generate(untiled).image)
        XCTAssertTrue(regional.parameters.extra.contains { $0.key == "Tiled Diffusion regions" && $0.value.contains("\"seed\":77") },
                      "\(regional.parameters.extra)")
    }

    func testAFullCanvasBackgroundRegionIsTheUntiledRunWithItsPromptAndSeed() throws {
        try assertFullCanvasRegionIsTheUntiledRun(.background, drawGrid: false)
    }

    func testAFullCanvasForegroundWithoutFeatherReplacesTheDrawnBackground() throws {
        try assertFullCanvasRegionIsTheUntiledRun(.foreground, drawGrid: true)
    }

    func testARandomRegionSeedIsDrawnOnceAndRecorded() throws {
        var request = PipelineFixtures.request(steps: 1)
        var settings = TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4)
        settings.regions = [TiledDiffusionRegion(x: 0, y: 0, width: 1, height: 1, seed: -1)]
        request.tiledDiffusion = settings
        let result = try pipeline().generate(request)
        let recorded = try XCTUnwrap(result.parameters.extra.first { $0.key == "Tiled Diffusion regions" })
        let seed = try XCTUnwrap([TiledDiffusionRegion](regionsJSON: Data(recorded.value.utf8), source: "infotext").first).seed
        XCTAssertGreaterThanOrEqual(seed, 0)
        // Rerunning with the recorded seed gives the same image.
        request.tiledDiffusion?.regions[0].seed = seed
        XCTAssertEqual(try pipeline().generate(request).image, result.image)
    }
}
