import TesseraImaging
import TesseraPipelines
import TesseraPrompt
import XCTest

/// A1111's sampling settings beyond the UI sliders: img2img_fix_steps, eta, ENSD, the img2img noise multipliers,
/// separate mask blurs and the inpainting conditioning mask strength, each in the infotext as A1111 writes it and
/// read back by a rerun.
final class A1111SamplingSettingsTests: XCTestCase {
    private func pipeline() throws -> StableDiffusionPipeline { StableDiffusionPipeline(model: try PipelineFixtures.model()) }

    private func rerun(_ result: GenerationResult, mode: GenerationRequest.Mode) throws -> GenerationRequest {
        try GenerationRequest(parameters: GenerationParameters(infotext: Infotext(parsing: result.parameters.infotext.text)), mode: mode)
    }

    func testFixStepsRunsEveryRequestedStepOfImg2Img() throws {
        let mode = GenerationRequest.Mode.img2img(initImage: try PipelineFixtures.gradient())
        var request = PipelineFixtures.request(steps: 4)
        request.mode = mode
        request.denoisingStrength = 0.5
        let plain = try pipeline().generate(request)
        request.fixSteps = true
        let fixed = try pipeline().generate(request)
        XCTAssertEqual(plain.modelCalls, 3, "int(0.5 · 4) + 1 steps")
        XCTAssertEqual(fixed.modelCalls, 4, "all 4 steps of a schedule of int(4 / 0.5) = 8")
        XCTAssertNotEqual(plain.image, fixed.image)
    }

    func testENSDReseedsAncestralNoiseAndIsRecordedOnlyWhereItActs() throws {
        var request = PipelineFixtures.request(steps: 3)
        request.sampler = "Euler a"
        let plain = try pipeline().generate(request)
        request.etaNoiseSeedDelta = 31337
        let delta = try pipeline().generate(request)
        XCTAssertNotEqual(plain.image, delta.image, "Euler a's step noise comes from seed + ENSD")
        XCTAssertTrue(delta.parameters.infotext.text.contains("ENSD: 31337"), delta.parameters.infotext.text)
        XCTAssertEqual(try rerun(delta, mode: .txt2img).etaNoiseSeedDelta, 31337)
        XCTAssertEqual(try pipeline().generate(try rerun(delta, mode: .txt2img)).image, delta.image)

        request.sampler = "Euler"
        let euler = try pipeline().generate(request)
        request.etaNoiseSeedDelta = 0
        XCTAssertEqual(euler.image, try pipeline().generate(request).image, "Euler draws no step noise")
        XCTAssertFalse(euler.parameters.infotext.text.contains("ENSD"), euler.parameters.infotext.text)

        request.sampler = "Euler a"
        request.eta = 0
        request.etaNoiseSeedDelta = 31337
        XCTAssertFalse(try pipeline().generate(request).parameters.infotext.text.contains("ENSD"), "eta 0 draws no step noise")
    }

    func testANonDefaultEtaChangesAncestralSamplingAndIsWrittenAsEta() throws {
        var request = PipelineFixtures.request(steps: 3)
        request.sampler = "Euler a"
        let defaultEta = try pipeline().generate(request)
        XCTAssertFalse(defaultEta.parameters.infotext.text.contains("Eta"))
        request.eta = 1
        XCTAssertEqual(try pipeline().generate(request).image, defaultEta.image, "1 is Euler a's default")
        XCTAssertFalse(try pipeline().generate(request).parameters.infotext.text.contains("Eta"), "a default eta is not recorded")
        request.eta = 0.5
        let half = try pipeline().generate(request)
        XCTAssertNotEqual(half.image, defaultEta.image)
        XCTAssertTrue(half.parameters.infotext.text.contains(", Eta: 0.5, Version"), half.parameters.infotext.text)
        XCTAssertEqual(try rerun(half, mode: .txt2img).eta, 0.5)
        request.sampler = "Euler"
        XCTAssertFalse(try pipeline().generate(request).parameters.infotext.text.contains("Eta"), "Euler takes no eta")
    }

    func testImg2ImgNoiseMultipliersChangeTheStartAndAreRecorded() throws {
        let mode = GenerationRequest.Mode.img2img(initImage: try PipelineFixtures.gradient())
        var request = PipelineFixtures.request(steps: 3)
        request.mode = mode
        request.denoisingStrength = 0.6
        let plain = try pipeline().generate(request)
        request.initialNoiseMultiplier = 0.9
        request.extraNoise = 0.2
        let noisy = try pipeline().generate(request)
        XCTAssertNotEqual(plain.image, noisy.image)
        let text = noisy.parameters.infotext.text
        XCTAssertTrue(text.contains("Noise multiplier: 0.9, Extra noise: 0.2"), text)
        let again = try rerun(noisy, mode: mode)
        XCTAssertEqual([again.initialNoiseMultiplier, again.extraNoise], [0.9, 0.2])
        XCTAssertEqual(try pipeline().generate(again).image, noisy.image)
        request.initialNoiseMultiplier = 2
        XCTAssertThrowsError(try request.validate()) { XCTAssertTrue("\($0)".contains("initial_noise_multiplier"), "\($0)") }
    }

    func testSeparateMaskBlursBlurEachDirectionAndDropTheMaskBlurKey() throws {
        let original = try PipelineFixtures.gradient()
        let mode = GenerationRequest.Mode.inpaint(initImage: original, mask: try PipelineFixtures.leftMask())
        var request = PipelineFixtures.request(steps: 2)
        request.mode = mode
        request.maskBlur = 4
        let even = try pipeline().generate(request)
        XCTAssertTrue(even.parameters.infotext.text.contains("Mask blur: 4"))
        request.maskBlurX = 0
        let vertical = try pipeline().generate(request)
        XCTAssertNotEqual(even.image, vertical.image)
        XCTAssertFalse(vertical.parameters.infotext.text.contains("Mask blur"), "A1111 reports mask_blur only when x == y")
        // With no horizontal blur the split at x = 32 stays sharp: the column right of it is the original.
        for y in 0..<64 { XCTAssertTrue(vertical.image.pixel(x: 40, y: y) == original.pixel(x: 40, y: y)) }
        request.maskBlurY = 70
        XCTAssertThrowsError(try request.validate()) { XCTAssertTrue("\($0)".contains("mask_blur_y"), "\($0)") }
    }

    func testTheInpaintingMaskWeightBlendsTheConditioningImageAndIsRecorded() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.inpaintingModel())
        let mode = GenerationRequest.Mode.inpaint(initImage: try PipelineFixtures.gradient(), mask: try PipelineFixtures.leftMask())
        var request = PipelineFixtures.request(steps: 2)
        request.mode = mode
        let full = try pipeline.generate(request)
        request.inpaintingMaskWeight = 0.25
        let weak = try pipeline.generate(request)
        XCTAssertNotEqual(full.image, weak.image, "the UNet sees more of the masked area at weight 0.25")
        XCTAssertEqual(weak.parameters.conditionalMaskWeight, 0.25)
        XCTAssertTrue(weak.parameters.infotext.text.contains("Conditional mask weight: 0.25"), weak.parameters.infotext.text)
        XCTAssertEqual(try rerun(weak, mode: mode).inpaintingMaskWeight, 0.25)
    }
}
