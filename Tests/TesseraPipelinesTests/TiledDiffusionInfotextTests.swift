import TesseraPipelines
import TesseraPrompt
import XCTest

/// The `Tiled Diffusion` infotext entry is read back into the request, in Tessera's form and in the extension's.
final class TiledDiffusionInfotextTests: XCTestCase {
    func testTesserasEntryRoundTrips() throws {
        for settings in [TiledDiffusionSettings.img2imgDefault, .txt2imgDefault,
                         TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 64, tileHeight: 48, overlap: 16, batchSize: 2)] {
            XCTAssertEqual(try TiledDiffusionSettings(infotextValue: settings.infotextValue), settings)
        }
    }

    func testTheExtensionsPythonDictIsRead() throws {
        let value = "{'Method': 'Mixture of Diffusers', 'Tile tile width': 112, 'Tile tile height': 80, 'Tile Overlap': 12, "
            + "'Tile batch size': 6, 'Upscaler': 'R-ESRGAN 4x+, anime', 'Upscale factor': 2.0, 'Keep input size': True}"
        XCTAssertEqual(try TiledDiffusionSettings(infotextValue: value),
                       TiledDiffusionSettings(method: .mixtureOfDiffusers, tileWidth: 112, tileHeight: 80, overlap: 12, batchSize: 6))
    }

    func testABrokenEntryIsAnErrorNamingTheFieldAndTheProblem() {
        for (value, problem) in [("method: MultiDiffusion, tile: 96, overlap: 8, batch: 4", "WIDTHxHEIGHT"),
                                 ("method: DemoFusion, tile: 96x96, overlap: 8, batch: 4", "DemoFusion"),
                                 ("method: MultiDiffusion, tile: 96x96, batch: 4", "'overlap' is missing"),
                                 ("method: MultiDiffusion, tile: 96x96, overlap: 8, batch: 40", "batch size"),
                                 ("{'Method': 'MultiDiffusion', 'Tile tile width': [96]}", "dict")] {
            XCTAssertThrowsError(try TiledDiffusionSettings(infotextValue: value), value) {
                XCTAssertTrue("\($0)".contains("Tiled Diffusion") && "\($0)".contains(problem), "\($0)")
            }
        }
    }

    func testAnInfotextWithTheEntryGivesARequestWithTheSameTiles() throws {
        let text = """
            a castle
            Negative prompt: blurry
            Steps: 20, Sampler: DDIM, Schedule type: Automatic, CFG scale: 7, Seed: 5, Size: 1024x768, Model: m, \
            Tiled Diffusion: "method: MultiDiffusion, tile: 64x64, overlap: 32, batch: 2", Version: v1.10.1
            """
        let request = try GenerationRequest(parameters: GenerationParameters(infotext: Infotext(parsing: text)))
        XCTAssertEqual(request.tiledDiffusion,
                       TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 64, tileHeight: 64, overlap: 32, batchSize: 2))
        let plain = text.replacingOccurrences(of: "Tiled Diffusion: \"method: MultiDiffusion, tile: 64x64, overlap: 32, batch: 2\", ", with: "")
        XCTAssertNil(try GenerationRequest(parameters: GenerationParameters(infotext: Infotext(parsing: plain))).tiledDiffusion)
    }
}
