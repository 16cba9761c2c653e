import TesseraImaging
import TesseraPipelines
import XCTest

final class Txt2ImgTests: XCTestCase {
    func testSameSeedGivesIdenticalImage() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let a = try pipeline.generate(PipelineFixtures.request(seed: 42))
        let b = try pipeline.generate(PipelineFixtures.request(seed: 42))
        XCTAssertEqual(a.image, b.image)
        XCTAssertEqual(a.image.width, 64)
        XCTAssertEqual(a.image.height, 64)
        XCTAssertEqual(a.parameters.seed, 42)
    }

    func testDifferentSeedGivesDifferentImage() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let a = try pipeline.generate(PipelineFixtures.request(seed: 42))
        let b = try pipeline.generate(PipelineFixtures.request(seed: 43))
        XCTAssertNotEqual(a.image, b.image)
    }

    func testEulerMakesOneModelCallPerStep() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let result = try pipeline.generate(PipelineFixtures.request(steps: 5))
        XCTAssertEqual(result.modelCalls, 5)
    }

    func testPromptLongerThanOneChunkStillRuns() throws {
        // cond has 2 chunks, uncond 1: A1111 then runs cond and uncond as separate UNet calls.
        let long = Array(repeating: "castle", count: 90).joined(separator: " ")
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let a = try pipeline.generate(PipelineFixtures.request(prompt: long, steps: 2))
        let b = try pipeline.generate(PipelineFixtures.request(prompt: "castle", steps: 2))
        XCTAssertNotEqual(a.image, b.image)
    }

    func testUnknownSamplerListsTheKnownOnes() throws {
        var request = PipelineFixtures.request()
        request.sampler = "Eulerish"
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        XCTAssertThrowsError(try pipeline.generate(request)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("Eulerish"), text)
            XCTAssertTrue(text.contains("Euler a"), text)
            XCTAssertTrue(text.contains("DPM++ 2M"), text)
        }
    }

    func testClipSkipChangesTheImage() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(steps: 2)
        let a = try pipeline.generate(request)
        request.clipSkip = 2
        let b = try pipeline.generate(request)
        XCTAssertNotEqual(a.image, b.image)
        XCTAssertEqual(b.parameters.clipSkip, 2)
    }
}

final class PromptFeatureTests: XCTestCase {
    func testVariationSeedStrengthMovesTheImageAndIsRecorded() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(steps: 2)
        request.subseed = 5
        let base = try pipeline.generate(request)
        request.subseedStrength = 0.5
        let varied = try pipeline.generate(request)
        XCTAssertNotEqual(base.image, varied.image)
        XCTAssertEqual(varied.parameters.variationSeed, 5)
        XCTAssertEqual(varied.parameters.variationSeedStrength, 0.5)
    }

    func testANDPartsAreGuidedTogetherInOneModelCallPerStep() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let single = try pipeline.generate(PipelineFixtures.request(prompt: "a cat", steps: 2))
        let composed = try pipeline.generate(PipelineFixtures.request(prompt: "a cat AND a very long dog :0.5", steps: 2))
        XCTAssertEqual(composed.modelCalls, 2)
        XCTAssertNotEqual(single.image, composed.image)
    }
}
