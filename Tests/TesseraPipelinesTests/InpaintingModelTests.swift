import TesseraModels
import TesseraPipelines
import XCTest

/// 9-channel inpainting UNets (latent + mask + masked-image latent), on a tiny UNet with seeded
/// random weights and the reference VAE / text encoder.
final class InpaintingModelTests: XCTestCase {
    private func inpaintingModel() throws -> StableDiffusionModel { try PipelineFixtures.inpaintingModel() }

    func testInpaintingUNetGetsMaskAndMaskedImageAndKeepsOutsidePixels() throws {
        let model = try inpaintingModel()
        XCTAssertTrue(model.isInpaintingModel)
        let pipeline = StableDiffusionPipeline(model: model)
        let original = try PipelineFixtures.gradient()
        var request = PipelineFixtures.request(steps: 2)
        request.mode = .inpaint(initImage: original, mask: try PipelineFixtures.leftMask())
        request.maskBlur = 0
        request.denoisingStrength = 1
        let result = try pipeline.generate(request)
        for y in 0..<64 { for x in 32..<64 { XCTAssertTrue(result.image.pixel(x: x, y: y) == original.pixel(x: x, y: y)) } }
        XCTAssertEqual(result.parameters.conditionalMaskWeight, 1)
        XCTAssertEqual(result.modelCalls, 2)
    }

    func testInpaintingUNetRunsTxt2ImgOnAGreyConditioningImage() throws {
        let pipeline = StableDiffusionPipeline(model: try inpaintingModel())
        let result = try pipeline.generate(PipelineFixtures.request(steps: 2))
        XCTAssertEqual([result.image.width, result.image.height], [64, 64])
        XCTAssertNil(result.parameters.conditionalMaskWeight)
    }
}
