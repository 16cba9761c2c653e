import TesseraCheckpoint
import TesseraPipelines
import TesseraTensor
import XCTest

final class TextConditioningTests: XCTestCase {
    func testPromptWithEmphasisMatchesA1111sOriginalEmphasisReference() throws {
        let reference = try SafeTensorsFile(path: PipelineFixtures.path("cases/text_encoder/emphasis_a1111.safetensors"))
        // The diffusers folder: its text_encoder/config.json gives the tiny encoder's 4 heads.
        let model = try StableDiffusionModel(path: PipelineFixtures.path("models"))
        XCTAssertEqual(model.textEncoder.configuration.heads, 4)
        let conditioner = try TextConditioner(encoder: model.textEncoder, tokenizer: model.tokenizer)
        let prompt = "a (red:1.5) car on a [wet] road, ((masterpiece)), (blue sky:0.8)"
        let chunks = try conditioner.chunks(prompt).chunks
        XCTAssertEqual(chunks.count, 1)
        XCTAssertEqual(chunks[0].tokens, try reference.integers("input.ids").map(Int.init))
        let expectedMultipliers = try reference.tensor("input.multipliers").data
        for (got, want) in zip(chunks[0].floatMultipliers, expectedMultipliers) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        let z = try conditioner.encode([prompt])[0]
        let want = try reference.tensor("output.z_weighted")
        XCTAssertEqual(z.shape, want.shape)
        var maxDiff: Float = 0, maxRef: Float = 0
        for i in 0..<z.count { maxDiff = max(maxDiff, abs(z.data[i] - want.data[i])); maxRef = max(maxRef, abs(want.data[i])) }
        XCTAssertLessThan(maxDiff / maxRef, 1e-4)
    }

    func testShorterPromptIsPaddedWithEmptyChunksToTheLongerOnesCount() throws {
        let model = try PipelineFixtures.model()
        let conditioner = try TextConditioner(encoder: model.textEncoder, tokenizer: model.tokenizer)
        let long = Array(repeating: "tower", count: 80).joined(separator: " ")
        let both = try conditioner.encode([long, "short"])
        XCTAssertEqual(both[0].shape, [1, 154, model.textEncoder.configuration.width])
        XCTAssertEqual(both[1].shape, both[0].shape)
    }

    func testClipSkipOutsideTheEncodersLayersIsRejected() throws {
        let model = try PipelineFixtures.model()
        XCTAssertThrowsError(try TextConditioner(encoder: model.textEncoder, tokenizer: model.tokenizer, clipSkip: 40)) {
            XCTAssertTrue(String(describing: $0).contains("clip_skip"))
        }
    }
}
