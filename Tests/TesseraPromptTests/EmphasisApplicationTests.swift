import XCTest
@testable import TesseraPrompt

final class EmphasisApplicationTests: XCTestCase {
    private var reference: (tensors: ReferenceTensors, prompt: String) {
        get throws {
            let base = Fixtures.referenceRoot.appendingPathComponent("cases/text_encoder/emphasis_a1111")
            let json = try Fixtures.json(base.appendingPathExtension("json"))
            return (try ReferenceTensors(path: base.path + ".safetensors"), json["prompt"] as! String)
        }
    }

    func testReferencePromptChunksToTheReferenceIdsAndWeights() throws {
        let (tensors, prompt) = try reference
        let chunk = try PromptChunker(tokenizer: try Fixtures.tokenizer()).chunk(prompt).chunks
        XCTAssertEqual(chunk.count, 1)
        XCTAssertEqual(chunk[0].tokens, try tensors.ints("input.ids"))
        XCTAssertEqual(chunk[0].floatMultipliers, try tensors.floats("input.multipliers"))
    }

    func testOriginalEmphasisMatchesA1111OnTheReferenceChunk() throws {
        let (tensors, _) = try reference
        var z = try tensors.floats("output.z")
        let expected = try tensors.floats("output.z_weighted")
        let width = try XCTUnwrap(tensors.shape("output.z")?.last)
        try EmphasisApplication.apply(.original, to: &z, multipliers: try tensors.floats("input.multipliers"), width: width)
        let maxRef = expected.map(abs).max() ?? 1
        let maxDiff = zip(z, expected).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(maxDiff / maxRef, 1e-5)
    }

    func testOriginalRestoresTheMeanOfTheWholeBatch() throws {
        var z: [Float] = [1, 2, 3, 4, -1, 5, 2, 2]
        let before = z.reduce(0, +) / Float(z.count)
        try EmphasisApplication.apply(.original, to: &z, multipliers: [1.5, 1, 0.5, 2], width: 2)
        XCTAssertEqual(z.reduce(0, +) / Float(z.count), before, accuracy: 1e-6)
        XCTAssertNotEqual(z[0], 1)
    }

    func testNoNormOnlyMultipliesEachTokenByItsWeight() throws {
        var z: [Float] = [1, 2, 3, 4]
        try EmphasisApplication.apply(.noNorm, to: &z, multipliers: [2, 0.5], width: 2)
        XCTAssertEqual(z, [2, 4, 1.5, 2])
    }

    func testIgnoreAndNoneLeaveTheEncoderOutputUntouched() throws {
        for mode in [EmphasisMode.ignore, .none] {
            var z: [Float] = [1, 2, 3, 4]
            try EmphasisApplication.apply(mode, to: &z, multipliers: [2, 0.5], width: 2)
            XCTAssertEqual(z, [1, 2, 3, 4])
        }
    }

    func testMismatchedShapesAreAnError() {
        var z: [Float] = [1, 2, 3]
        XCTAssertThrowsError(try EmphasisApplication.apply(.original, to: &z, multipliers: [1, 1], width: 2)) { error in
            XCTAssertEqual("\(error)", "emphasis: hidden states hold 3 values but 2 token weights × width 2 = 4")
        }
    }
}
