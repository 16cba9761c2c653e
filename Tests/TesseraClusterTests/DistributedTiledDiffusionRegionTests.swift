import Foundation
import TOMLKit
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// Region Prompt Control in cluster jobs: `[[tiled_diffusion.regions]]` tables with the extension's keys, region
/// tiles of their own size evaluated by workers like grid tiles, and the in-process image bit for bit.
final class DistributedTiledDiffusionRegionTests: XCTestCase {
    static func spec() -> UpscaleJobSpec {
        var spec = DistributedTiledDiffusionTests.spec(method: .multiDiffusion)
        spec.tiledDiffusion?.regions = [
            TiledDiffusionRegion(x: 0, y: 0, width: 0.3, height: 1, prompt: "grass", seed: 9),
            TiledDiffusionRegion(x: 0.25, y: 0.25, width: 0.5, height: 0.5, prompt: "a cat", negativePrompt: "dog",
                                 blendMode: .foreground, featherRatio: 0.2, seed: 5),
        ]
        spec.tiledDiffusion?.drawBackground = true
        return spec
    }

    func testTheJobFileListsRegionsWithTheExtensionsKeys() throws {
        let toml = """
            upscaler = "diffusion"
            scale = 2
            [diffusion]
            checkpoint = "m"
            [tiled_diffusion]
            draw_background = true
            [[tiled_diffusion.regions]]
            x = 0
            y = 0.5
            w = 1
            h = 0.5
            prompt = "a lake, calm"
            neg_prompt = "boats"
            blend_mode = "Foreground"
            feather_ratio = 0.3
            seed = 4
            [[tiled_diffusion.regions]]
            enable = false
            """
        let spec = try TOMLDecoder().decode(UpscaleJobSpec.self, from: toml)
        try spec.validate()
        let settings = try XCTUnwrap(spec.tiledDiffusion).settings()
        XCTAssertTrue(settings.drawBackground)
        XCTAssertEqual(settings.regions, [TiledDiffusionRegion(x: 0, y: 0.5, width: 1, height: 0.5, prompt: "a lake, calm",
                                                               negativePrompt: "boats", blendMode: .foreground,
                                                               featherRatio: 0.3, seed: 4)])
        var random = spec
        random.tiledDiffusion?.regions[0].seed = -1
        XCTAssertThrowsError(try random.validate()) { XCTAssertTrue("\($0)".contains("tiled_diffusion.regions[0].seed"), "\($0)") }
        var outside = spec
        outside.tiledDiffusion?.regions[0].width = 0
        XCTAssertThrowsError(try outside.validate()) { XCTAssertTrue("\($0)".contains("tiled_diffusion.regions[0].w"), "\($0)") }
        let json = String(decoding: try JSONEncoder().encode(DistributedTiledDiffusionTests.spec()), as: UTF8.self)
        XCTAssertFalse(json.contains("regions") || json.contains("draw_background"), "a job without regions keeps its JSON: \(json)")
    }

    func testTwoWorkersGiveTheInProcessImageBitForBitAndRegionsChangeTheImage() throws {
        let source = DistributedTiledDiffusionTests.source
        let renderer = try DiffusionUpscaleTests.workerRenderer()
        let expected = try InProcessLatentDiffusion.render(source: source, spec: Self.spec(), renderer: renderer)
        let plain = try InProcessLatentDiffusion.render(source: source, spec: DistributedTiledDiffusionTests.spec(method: .multiDiffusion),
                                                        renderer: renderer)
        XCTAssertNotEqual(expected, plain, "the regions' prompts and noise must change the image")

        let cluster = try LatentTestCluster(self, renderer: DiffusionUpscaleTests.workerRenderer)
        defer { cluster.stop() }
        let output = try cluster.render(source, spec: Self.spec())
        XCTAssertEqual(output.rgba8, expected, "output differs from the in-process run")
        let parameters = try XCTUnwrap(output.parameters)
        XCTAssertTrue(parameters.contains("Tiled Diffusion regions: ") && parameters.contains("a cat"), parameters)
    }
}
