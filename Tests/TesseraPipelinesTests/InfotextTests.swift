import TesseraImaging
import TesseraSampling
import TesseraPipelines
import TesseraPrompt
import XCTest

final class InfotextTests: XCTestCase {
    func testPNGCarriesTheParametersAndTheyRoundTrip() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(steps: 2)
        request.subseed = 99
        request.subseedStrength = 0.25
        let result = try pipeline.generate(request)
        let path = PipelineFixtures.temporaryFile("roundtrip.png")
        try GenerationInfotext.writePNG(result.image, parameters: result.parameters, to: path)
        let text = try GenerationInfotext.readText(fromPNG: path)
        XCTAssertTrue(text.hasPrefix("a red house, (blue sky:1.2)\nNegative prompt: blurry\nSteps: 2, Sampler: Euler"), text)
        XCTAssertTrue(text.contains("Seed: 1234") && text.contains("Variation seed: 99") && text.contains("Model: checkpoint_ldm"), text)
        XCTAssertEqual(try GenerationInfotext.read(fromPNG: path), result.parameters)
        XCTAssertEqual(try PNGImage.read(path: path).rgba8, result.image)
    }

    func testRerunFromPNGInfoGivesTheIdenticalImage() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(prompt: "a [cat:dog:0.5] on a mat", seed: -1, steps: 3)
        request.sampler = "DPM++ 2M"
        request.scheduler = "Karras"
        request.cfgScale = 5.5
        let first = try pipeline.generate(request)
        let path = PipelineFixtures.temporaryFile("rerun.png")
        try GenerationInfotext.writePNG(first.image, parameters: first.parameters, to: path)
        let rerun = try GenerationRequest(parameters: try GenerationInfotext.read(fromPNG: path))
        XCTAssertEqual(rerun.seed, Int64(first.parameters.seed))
        XCTAssertEqual(try pipeline.generate(rerun).image, first.image)
    }

    func testPNGWithoutParametersIsAnErrorNamingTheFile() throws {
        let path = PipelineFixtures.temporaryFile("plain.png")
        try PipelineFixtures.gradient().writePNG(to: path)
        XCTAssertThrowsError(try GenerationInfotext.readText(fromPNG: path)) { XCTAssertTrue(String(describing: $0).contains(path)) }
    }
}

final class PipelineRNGSourceTests: XCTestCase {
    func testCPUNoiseIsRecordedAndRerunFromTheInfotext() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(steps: 2)
        let nv = try pipeline.generate(request)
        request.rng = .cpu
        let cpu = try pipeline.generate(request)
        XCTAssertNotEqual(nv.image, cpu.image)
        XCTAssertTrue(cpu.parameters.infotext.text.contains("RNG: CPU"))
        let rerun = try GenerationRequest(parameters: GenerationParameters(infotext: Infotext(parsing: cpu.parameters.infotext.text)))
        XCTAssertEqual(rerun.rng, .cpu)
        XCTAssertEqual(try pipeline.generate(rerun).image, cpu.image)
    }
}

final class SeedResizeTests: XCTestCase {
    func testResizeSeedFromIsAppliedRecordedAndRerun() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(steps: 2)
        let plain = try pipeline.generate(request)
        request.seedResizeFromWidth = 128
        request.seedResizeFromHeight = 96
        let resized = try pipeline.generate(request)
        XCTAssertNotEqual(plain.image, resized.image)
        XCTAssertTrue(resized.parameters.infotext.text.contains("Seed resize from: 128x96"))
        let rerun = try GenerationRequest(parameters: resized.parameters)
        XCTAssertEqual(try pipeline.generate(rerun).image, resized.image)
    }
}
