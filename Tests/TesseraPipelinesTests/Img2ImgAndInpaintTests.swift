import TesseraImageOps
import TesseraImaging
import TesseraPipelines
import XCTest

final class Img2ImgAndInpaintTests: XCTestCase {
    func testDenoisingStrengthSetsTheNumberOfModelCalls() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request(steps: 10)
        request.mode = .img2img(initImage: try PipelineFixtures.gradient())
        request.denoisingStrength = 0.5
        // A1111: t_enc = int(0.5 · 10) = 5, t_enc + 1 = 6 steps; Euler calls the model once per step.
        XCTAssertEqual(try pipeline.generate(request).modelCalls, 6)
        request.denoisingStrength = 0.25
        XCTAssertEqual(try pipeline.generate(request).modelCalls, 3)
    }

    func testImg2ImgOutputHasTheRenderSizeForEveryResizeMode() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        for mode in ResizeMode.allCases {
            var request = PipelineFixtures.request(steps: 2)
            request.mode = .img2img(initImage: try PipelineFixtures.gradient(width: 96, height: 64))
            request.resizeMode = mode
            request.denoisingStrength = 0.5
            let result = try pipeline.generate(request)
            XCTAssertEqual([result.image.width, result.image.height], [64, 64], "\(mode)")
        }
    }

    func testInpaintKeepsEveryPixelOutsideTheMask() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let original = try PipelineFixtures.gradient()
        for fill in MaskedContent.allCases {
            var request = PipelineFixtures.request(steps: 3)
            request.mode = .inpaint(initImage: original, mask: try PipelineFixtures.leftMask())
            request.maskBlur = 0
            request.inpaintingFill = fill
            request.denoisingStrength = 0.9
            let result = try pipeline.generate(request)
            var changedInside = false
            for y in 0..<64 {
                for x in 0..<64 {
                    let got = result.image.pixel(x: x, y: y), want = original.pixel(x: x, y: y)
                    if x >= 32 {
                        XCTAssertTrue(got == want, "\(fill): pixel (\(x), \(y)) outside the mask changed")
                    } else if got != want {
                        changedInside = true
                    }
                }
            }
            XCTAssertTrue(changedInside, "\(fill): nothing was repainted inside the mask")
        }
    }

    func testOnlyMaskedInpaintReturnsTheOriginalSizeAndKeepsOutsidePixels() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        let original = try PipelineFixtures.gradient(width: 128, height: 96)
        var request = PipelineFixtures.request(steps: 2)
        request.mode = .inpaint(initImage: original, mask: try PipelineFixtures.leftMask(width: 128, height: 96, split: 24))
        request.maskBlur = 0
        request.inpaintFullRes = true
        request.inpaintFullResPadding = 8
        let result = try pipeline.generate(request)
        XCTAssertEqual([result.image.width, result.image.height], [128, 96])
        for y in 0..<96 { for x in 24..<128 { XCTAssertTrue(result.image.pixel(x: x, y: y) == original.pixel(x: x, y: y)) } }
        XCTAssertTrue(result.parameters.extra.contains { $0.key == "Inpaint area" && $0.value == "Only masked" })
    }

    func testMaskOfAnotherSizeIsRejectedNamingBothSizes() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model())
        var request = PipelineFixtures.request()
        request.mode = .inpaint(initImage: try PipelineFixtures.gradient(), mask: try PipelineFixtures.leftMask(width: 32, height: 64))
        XCTAssertThrowsError(try pipeline.generate(request)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("mask") && text.contains("32x64") && text.contains("64x64"), text)
        }
    }
}

final class ModelLoadingAndCropTests: XCTestCase {
    func testDiffusersFolderLoadsWithItsConfiguredHeadCountAndGenerates() throws {
        let model = try StableDiffusionModel(path: PipelineFixtures.path("models"))
        XCTAssertEqual(model.unet.configuration.heads, [2, 2, 2, 2])
        XCTAssertEqual(model.name, "models")
        let result = try StableDiffusionPipeline(model: model).generate(PipelineFixtures.request(steps: 2))
        XCTAssertEqual([result.image.width, result.image.height], [64, 64])
    }

    func testOnlyMaskedInpaintFeedsControlNetTheCroppedInitImageOnEveryCall() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        let original = try PipelineFixtures.gradient(width: 128, height: 96)
        var request = PipelineFixtures.request(steps: 3)
        request.mode = .inpaint(initImage: original, mask: try PipelineFixtures.leftMask(width: 128, height: 96, split: 24))
        request.maskBlur = 0
        request.inpaintFullRes = true
        request.denoisingStrength = 1
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,module=invert")]
        let result = try pipeline.generate(request)
        XCTAssertEqual(result.controlNetCalls, [[0, 1, 2]])
        XCTAssertEqual([result.image.width, result.image.height], [128, 96])
        for y in 0..<96 { for x in 24..<128 { XCTAssertTrue(result.image.pixel(x: x, y: y) == original.pixel(x: x, y: y)) } }
    }

    func testTxt2ImgControlNetWithoutAnImageIsAClearError() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        var request = PipelineFixtures.request(steps: 1)
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16")]
        XCTAssertThrowsError(try pipeline.generate(request)) { XCTAssertTrue(String(describing: $0).contains("image=PATH")) }
    }
}
