import Foundation
import XCTest
@testable import TesseraPrompt

final class CLIPTokenizerTests: XCTestCase {
    private var referenceFile: URL { Fixtures.referenceRoot.appendingPathComponent("tokenizer/cases.json") }

    func testRawIdsMatchTransformersForEveryReferencePrompt() throws {
        let tokenizer = try Fixtures.tokenizer()
        for c in try Fixtures.cases(referenceFile) {
            let prompt = c["prompt"] as! String
            XCTAssertEqual(tokenizer.encode(prompt), (c["ids_raw"] as! [Any]).ints, "prompt \(prompt.debugDescription)")
        }
    }

    func testDiffusersPaddingTruncatesTo75TokensBetweenBosAndEos() throws {
        let tokenizer = try Fixtures.tokenizer()
        for c in try Fixtures.cases(referenceFile) {
            let prompt = c["prompt"] as! String
            XCTAssertEqual(tokenizer.encodePadded(prompt), (c["ids_diffusers_77"] as! [Any]).ints, "prompt \(prompt.debugDescription)")
        }
    }

    func testPlainA1111ChunksMatchWithEmphasisDisabled() throws {
        let chunker = PromptChunker(tokenizer: try Fixtures.tokenizer(), emphasis: .none)
        for c in try Fixtures.cases(referenceFile) {
            let prompt = c["prompt"] as! String
            let expected = (c["a1111_chunks_plain"] as! [[Any]]).map(\.ints)
            XCTAssertEqual(try chunker.chunk(prompt).chunks.map(\.tokens), expected, "prompt \(prompt.debugDescription)")
        }
    }

    /// A1111 runs transformers 4.30's slow tokenizer with ftfy; Data/tokenizer_ftfy_cases.json
    /// holds its ids for prompts with curly quotes, full-width forms, ligatures, odd whitespace…
    func testFtfyCleanUpMatchesA1111sTokenizerOnUnusualText() throws {
        let tokenizer = try Fixtures.tokenizer()
        for c in try Fixtures.cases(Fixtures.localRoot.appendingPathComponent("tokenizer_ftfy_cases.json")) {
            let prompt = c["prompt"] as! String
            XCTAssertEqual(tokenizer.encode(prompt), (c["ids_raw"] as! [Any]).ints, "prompt \(prompt.debugDescription)")
        }
    }

    func testDecodeShowsTheNormalisedTextBack() throws {
        let tokenizer = try Fixtures.tokenizer()
        XCTAssertEqual(tokenizer.decode(tokenizer.encodePadded("A  Café, 日本!")), "a café , 日本 !")
    }

    func testSpecialIdsAreThoseOfSD15() throws {
        let tokenizer = try Fixtures.tokenizer()
        XCTAssertEqual(tokenizer.startID, 49406)
        XCTAssertEqual(tokenizer.endID, 49407)
        XCTAssertEqual(tokenizer.padID, 49407)
        XCTAssertEqual(tokenizer.commaID, 267)
        XCTAssertEqual(tokenizer.vocabularySize, 49408)
    }

    func testCaseAndSurroundingWhitespaceDoNotChangeIds() throws {
        let tokenizer = try Fixtures.tokenizer()
        XCTAssertEqual(tokenizer.encode("  A PHOTO\tof\n a Cat  "), tokenizer.encode("a photo of a cat"))
    }

    func testCapitalSigmaAtWordEndLowercasesToFinalSigmaLikePython() throws {
        let tokenizer = try Fixtures.tokenizer()
        XCTAssertEqual(tokenizer.encode("ΟΔΟΣ"), tokenizer.encode("οδος"))
        XCTAssertNotEqual(tokenizer.encode("ΟΔΟΣ"), tokenizer.encode("οδοσ"))
    }

    func testFtfyStraightensCurlyQuotesAndNarrowsFullWidthPunctuation() throws {
        let tokenizer = try Fixtures.tokenizer()
        XCTAssertEqual(tokenizer.encode("“it’s”"), tokenizer.encode("\"it's\""))
        XCTAssertEqual(tokenizer.encode("ａｂｃ，ｄ"), tokenizer.encode("abc,d"))
        XCTAssertEqual(tokenizer.encode("ﬁsh"), tokenizer.encode("fish"))
    }

    func testLiteralSpecialTokensMapToTheirIds() throws {
        let tokenizer = try Fixtures.tokenizer()
        XCTAssertEqual(tokenizer.encode("a<|endoftext|>b"), tokenizer.encode("a") + [49407] + tokenizer.encode("b"))
    }

    func testLongPromptIsTokenizedThroughTheCacheConsistently() throws {
        let tokenizer = try Fixtures.tokenizer()
        let words = (0..<1000).map { "w\($0 % 37)orld\($0 % 11)" }.joined(separator: " ")
        let first = tokenizer.encode(words)
        XCTAssertGreaterThan(first.count, 1000)
        XCTAssertEqual(tokenizer.encode(words), first)
    }

    func testConcurrentEncodingGivesTheSameIdsAsSequentialEncoding() throws {
        let tokenizer = try Fixtures.tokenizer()
        let prompts = (0..<64).map { "prompt \($0): a castle number \($0 * 7919) on hill \($0 % 5), golden light" }
        let sequential = prompts.map(tokenizer.encode)
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var ids: [Int: [Int]] = [:]
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: prompts.count) { i in
            let ids = tokenizer.encode(prompts[i])
            results.lock.lock()
            results.ids[i] = ids
            results.lock.unlock()
        }
        XCTAssertEqual((0..<prompts.count).map { results.ids[$0] ?? [] }, sequential)
    }

    func testMissingFilesGiveOneErrorNamingTheFile() {
        let dir = URL(fileURLWithPath: "/nonexistent/tokenizer")
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/tokenizer/vocab.json"), "\(error)")
        }
    }

    func testMalformedMergesAreRejectedWithTheLineNumber() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = Fixtures.referenceRoot.appendingPathComponent("tokenizer")
        try FileManager.default.copyItem(at: source.appendingPathComponent("vocab.json"), to: dir.appendingPathComponent("vocab.json"))
        var merges = try String(contentsOf: source.appendingPathComponent("merges.txt"), encoding: .utf8)
        merges = merges.replacingOccurrences(of: "\nt h\n", with: "\nth\n")
        try merges.write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
        }
    }
}
