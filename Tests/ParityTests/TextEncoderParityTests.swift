import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// The text encoder reproduces transformers' `CLIPTextModel` (last hidden state and clip skip 2)
/// and A1111's emphasis formula.
final class ParityTextEncoderTests: XCTestCase {
    static func loadEncoder() throws -> CLIPTextEncoder {
        let weights = try SafeTensorsFile(path: ReferenceCase.path("models/text_encoder/model.safetensors"))
        let config = try ConfigFile(path: ReferenceCase.path("models/text_encoder/config.json"))
        return try CLIPTextEncoder(source: weights, configuration: CLIPTextConfiguration.infer(from: weights, config: config))
    }

    static func ids(_ c: ReferenceCase) throws -> [[Int]] {
        let raw = try c.tensors.integers("input.ids")
        let shape = c.tensors.entries["input.ids"]!.shape
        return (0..<shape[0]).map { r in (0..<shape[1]).map { Int(raw[r * shape[1] + $0]) } }
    }

    func checkPrompt(_ name: String) throws {
        let c = try ReferenceCase("text_encoder", name)
        let encoder = try Self.loadEncoder()
        let ids = try Self.ids(c)
        assertClose(try encoder(ids), try c.output("last_hidden_state"), tolerance: 1e-4, "\(name) last_hidden_state")
        assertClose(try encoder(ids, clipSkip: 2), try c.output("clip_skip2"), tolerance: 1e-4, "\(name) clip_skip2")
    }

    func testPrompt0LastHiddenStateAndClipSkip2() throws { try checkPrompt("prompt_0") }
    func testPrompt1LastHiddenStateAndClipSkip2() throws { try checkPrompt("prompt_1") }
    func testPrompt2LastHiddenStateAndClipSkip2() throws { try checkPrompt("prompt_2") }
    func testTwoChunkPromptEncodesBothChunks() throws { try checkPrompt("prompt_3") }

    func testA1111EmphasisWeightsTokensAndRestoresTheMean() throws {
        let c = try ReferenceCase("text_encoder", "emphasis_a1111")
        let z = try Self.loadEncoder()(Self.ids(c))
        assertClose(z, try c.output("z"), tolerance: 1e-4, "emphasis z")
        assertClose(try applyEmphasis(z, multipliers: c.input("multipliers")), try c.output("z_weighted"), tolerance: 1e-4, "emphasis z_weighted")
    }

    func testOutOfVocabularyIdIsRejectedWithAClearError() throws {
        let encoder = try Self.loadEncoder()
        XCTAssertThrowsError(try encoder([[49406, 60000, 49407]])) { error in
            XCTAssertTrue("\(error)".contains("60000"), "\(error)")
        }
    }
}

/// The per-prompt conditioning A1111 builds: chunks side by side along the token axis.
final class ParityPromptConditioningTests: XCTestCase {
    func testTwoChunksAreConcatenatedAlongTheTokenAxis() throws {
        let c = try ReferenceCase("text_encoder", "prompt_3")
        let cond = try ParityTextEncoderTests.loadEncoder().conditioning(chunks: ParityTextEncoderTests.ids(c), clipSkip: 2)
        assertClose(cond, try c.output("clip_skip2").reshaped([1, 154, 12]), tolerance: 1e-4, "prompt_3 conditioning")
    }

    func testEmphasisIsAppliedPerChunk() throws {
        let c = try ReferenceCase("text_encoder", "emphasis_a1111")
        let multipliers = try c.input("multipliers").data
        let cond = try ParityTextEncoderTests.loadEncoder().conditioning(chunks: ParityTextEncoderTests.ids(c), multipliers: [multipliers])
        assertClose(cond, try c.output("z_weighted"), tolerance: 1e-4, "emphasis conditioning")
    }
}
