import XCTest
@testable import TesseraPrompt

final class PromptChunkerTests: XCTestCase {
    private func chunker(backtrack: Int = 20, emphasis: EmphasisMode = .original) throws -> PromptChunker {
        PromptChunker(tokenizer: try Fixtures.tokenizer(), emphasis: emphasis, commaPaddingBacktrack: backtrack)
    }

    private func assertChunks(_ actual: ChunkedPrompt, _ expected: [[String: Any]], _ prompt: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.chunks.count, expected.count, "prompt \(prompt.debugDescription)", file: file, line: line)
        for (a, e) in zip(actual.chunks, expected) {
            XCTAssertEqual(a.tokens, (e["tokens"] as! [Any]).ints, "prompt \(prompt.debugDescription)", file: file, line: line)
            let weights = (e["multipliers"] as! [Any]).doubles
            XCTAssertEqual(a.multipliers.count, weights.count, file: file, line: line)
            for (x, y) in zip(a.multipliers, weights) {
                XCTAssertEqual(x, y, accuracy: 1e-12, "prompt \(prompt.debugDescription)", file: file, line: line)
            }
        }
    }

    func testEveryReferencePromptChunksExactlyLikeA1111() throws {
        let file = Fixtures.referenceRoot.appendingPathComponent("tokenizer/a1111_prompts.json")
        let withBacktrack = try chunker(), withoutBacktrack = try chunker(backtrack: 0)
        for c in try Fixtures.cases(file) {
            let prompt = c["prompt"] as! String
            let result = try withBacktrack.chunk(prompt)
            assertChunks(result, c["chunks"] as! [[String: Any]], prompt)
            XCTAssertEqual(result.tokenCount, (c["token_count"] as! NSNumber).intValue, "prompt \(prompt.debugDescription)")
            if let plain = c["chunks_backtrack_0"] as? [[String: Any]] {
                assertChunks(try withoutBacktrack.chunk(prompt), plain, prompt)
            }
        }
    }

    /// The text-encoder reference cases were encoded from A1111 chunks of their prompts.
    func testTextEncoderReferencePromptsChunkToTheirInputIds() throws {
        let chunker = try chunker()
        for index in 0..<4 {
            let base = Fixtures.referenceRoot.appendingPathComponent("cases/text_encoder/prompt_\(index)")
            let prompt = try Fixtures.json(base.appendingPathExtension("json"))["prompt"] as! String
            let ids = try ReferenceTensors(path: base.path + ".safetensors").ints("input.ids")
            XCTAssertEqual(try chunker.chunk(prompt).chunks.flatMap(\.tokens), ids, "prompt \(prompt.debugDescription)")
        }
    }

    func testEveryChunkHas77TokensFramedByBosAndEos() throws {
        let result = try chunker().chunk(String(repeating: "tree, ", count: 60))
        for chunk in result.chunks {
            XCTAssertEqual(chunk.tokens.count, 77)
            XCTAssertEqual(chunk.multipliers.count, 77)
            XCTAssertEqual(chunk.tokens.first, 49406)
            XCTAssertEqual(chunk.tokens.last, 49407)
        }
    }

    func testBreakStartsANewChunk() throws {
        let result = try chunker().chunk("a cat BREAK a dog")
        XCTAssertEqual(result.chunks.count, 2)
        XCTAssertEqual(Array(result.chunks[0].tokens[0...3]), [49406, 320, 2368, 49407])
        XCTAssertEqual(Array(result.chunks[1].tokens[0...3]), [49406, 320, 1929, 49407])
        XCTAssertEqual(result.tokenCount, 77)
    }

    func testTrailingBreakDoesNotAddAnEmptyChunk() throws {
        let result = try chunker().chunk("end BREAK")
        XCTAssertEqual(result.chunks.count, 1)
        XCTAssertEqual(result.tokenCount, 75)
    }

    func testWeightsFollowTheirTokensAndFrameTokensWeighOne() throws {
        let result = try chunker().chunk("a (red:1.5) car")
        XCTAssertEqual(Array(result.chunks[0].multipliers[0...4]), [1.0, 1.0, 1.5, 1.0, 1.0])
    }

    func testCommaBacktrackMovesTheTailToTheNextChunk() throws {
        // 70 single-token words, a comma at body position 70, then 10 more words: when the chunk
        // fills, the 4 tokens after the comma move to the next chunk.
        let head = Array(repeating: "cat", count: 70).joined(separator: " ")
        let tail = Array(repeating: "dog", count: 10).joined(separator: " ")
        let result = try chunker().chunk(head + ", " + tail)
        XCTAssertEqual(result.chunks.count, 2)
        XCTAssertEqual(result.chunks[0].tokens[71], 267, "the comma stays at the end of the first chunk")
        XCTAssertEqual(result.chunks[0].tokens[72], 49407, "padding follows the comma")
        XCTAssertEqual(Array(result.chunks[1].tokens[1...10]), Array(repeating: 1929, count: 10))
    }

    func testCommaFurtherBackThanTheLimitDoesNotMoveTokens() throws {
        let head = Array(repeating: "cat", count: 40).joined(separator: " ")
        let tail = Array(repeating: "dog", count: 40).joined(separator: " ")
        let result = try chunker().chunk(head + ", " + tail)
        XCTAssertEqual(result.chunks[0].tokens[75], 1929, "the first chunk is filled to 75 body tokens")
    }

    func testEmphasisNoneKeepsBracketsAndBreakAsText() throws {
        let tokenizer = try Fixtures.tokenizer()
        let result = try chunker(emphasis: .none).chunk("(cat) BREAK dog")
        XCTAssertEqual(result.chunks.count, 1)
        XCTAssertEqual(Array(result.chunks[0].tokens[1...5]), tokenizer.encode("(cat) BREAK dog"))
        XCTAssertTrue(result.chunks[0].multipliers.allSatisfy { $0 == 1 })
    }

    func testBreakInsideBracketsIsEncodedAsAWordWithNegativeWeightLikeA1111() throws {
        let chunk = try chunker().chunk("(a BREAK b)").chunks
        XCTAssertEqual(chunk.count, 1)
        XCTAssertEqual(Array(chunk[0].tokens[1...3]), [320, 2568, 321])
        XCTAssertEqual(chunk[0].multipliers[2], -1.1, accuracy: 1e-12)
    }

    func testEmphasisInfotextKeyOnlyForNonDefaultModesWithBrackets() {
        XCTAssertNil(EmphasisMode.original.infotextValue(forEncodedTexts: ["(a)"]))
        XCTAssertNil(EmphasisMode.noNorm.infotextValue(forEncodedTexts: ["plain"]))
        XCTAssertEqual(EmphasisMode.noNorm.infotextValue(forEncodedTexts: ["x", "[a]"]), "No norm")
    }

    func testEmptyPromptIsOneChunkOfBosAndEos() throws {
        let result = try chunker().chunk("")
        XCTAssertEqual(result.chunks, [PromptChunk.empty(startID: 49406, endID: 49407)])
        XCTAssertEqual(result.tokenCount, 0)
    }

    func testBatchIsPaddedWithEmptyChunks() throws {
        let c = try chunker()
        let short = try c.chunk("cat"), long = try c.chunk(String(repeating: "cat ", count: 80))
        let padded = ChunkedPrompt.padToCommonLength([short, long], startID: 49406, endID: 49407)
        XCTAssertEqual(padded.map(\.count), [2, 2])
        XCTAssertEqual(padded[0][1], PromptChunk.empty(startID: 49406, endID: 49407))
    }
}
