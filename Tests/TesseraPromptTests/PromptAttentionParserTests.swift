import XCTest
@testable import TesseraPrompt

final class PromptAttentionParserTests: XCTestCase {
    private func parse(_ prompt: String) throws -> [WeightedFragment] { try PromptAttentionParser.parse(prompt) }

    func testEveryReferencePromptParsesToA1111sFragmentsAndWeights() throws {
        let file = Fixtures.referenceRoot.appendingPathComponent("tokenizer/a1111_prompts.json")
        for c in try Fixtures.cases(file) {
            let prompt = c["prompt"] as! String
            let expected = (c["parsed"] as! [[Any]]).map { WeightedFragment($0[0] as! String, ($0[1] as! NSNumber).doubleValue) }
            let actual = try parse(prompt)
            XCTAssertEqual(actual.map(\.text), expected.map(\.text), "prompt \(prompt.debugDescription)")
            XCTAssertEqual(actual.count, expected.count, "prompt \(prompt.debugDescription)")
            for (a, e) in zip(actual, expected) {
                XCTAssertEqual(a.weight, e.weight, accuracy: 1e-12, "prompt \(prompt.debugDescription) fragment \(a.text)")
            }
        }
    }

    func testRoundBracketsMultiplyByOnePointOneAndNest() throws {
        XCTAssertEqual(try parse("a (b) ((c))"), [.init("a ", 1), .init("b", 1.1), .init(" ", 1), .init("c", 1.1 * 1.1)])
    }

    func testSquareBracketsDivideByOnePointOne() throws {
        XCTAssertEqual(try parse("[x]"), [.init("x", 1 / 1.1)])
    }

    func testExplicitWeightAllowsSpacesAroundTheNumber() throws {
        XCTAssertEqual(try parse("(cat: 1.3 )"), [.init("cat", 1.3)])
    }

    func testWeightsAreMultipliedInA1111sOrderBitForBit() throws {
        // (((house:1.3)) with the outermost group unclosed = 1.0 × 1.3 × 1.1 × 1.1, in that order.
        XCTAssertEqual(try parse("(((house:1.3))")[0].weight, 1.5730000000000004)
        XCTAssertEqual(try parse("((house:1.3))")[0].weight, 1.4300000000000002)
    }

    func testEscapedBracketsAndBackslashAreLiteral() throws {
        XCTAssertEqual(try parse(#"\(a\) \[b\] c\\d"#), [.init(#"(a) [b] c\d"#, 1)])
    }

    func testLoneBackslashIsDropped() throws {
        XCTAssertEqual(try parse(#"a\b"#), [.init("ab", 1)])
    }

    func testCloserWithoutOpenerStaysText() throws {
        XCTAssertEqual(try parse("a) b] c:2)"), [.init("a) b] c:2)", 1)])
    }

    func testUnclosedOpenersApplyTheirDefaultMultiplierToTheEnd() throws {
        XCTAssertEqual(try parse("a (b [c"), [.init("a ", 1), .init("b ", 1.1), .init("c", 1.1 / 1.1)])
    }

    func testNonNumericWeightIsTextInsideAnOrdinaryGroup() throws {
        XCTAssertEqual(try parse("(cat:abc)"), [.init("cat:abc", 1.1)])
    }

    func testWeightThatLooksNumericButIsNotIsAnError() {
        XCTAssertThrowsError(try parse("(cat:1.2.3)")) { error in
            XCTAssertEqual(error as? PromptSyntaxError, .invalidWeight(weight: "1.2.3", prompt: "(cat:1.2.3)"))
            XCTAssertTrue("\(error)".contains("'1.2.3'"), "\(error)")
        }
    }

    func testBreakBecomesAMarkerAndSwallowsSurroundingWhitespace() throws {
        XCTAssertEqual(try parse("a cat  BREAK\n a dog"), [.init("a cat", 1), .breakMarker, .init("a dog", 1)])
    }

    func testBreakInsideAWordIsNotAKeyword() throws {
        XCTAssertEqual(try parse("BREAKfast aBREAK BREAK_"), [.init("BREAKfast aBREAK BREAK_", 1)])
    }

    func testEmptyPromptIsOneEmptyFragment() throws {
        XCTAssertEqual(try parse(""), [.init("", 1)])
    }

    func testEqualNeighboursAreMerged() throws {
        XCTAssertEqual(try parse("(a)(b) c"), [.init("ab", 1.1), .init(" c", 1)])
    }
}

final class PromptAttentionCorpusTests: XCTestCase {
    /// 300 random bracket soups run through A1111's own parse_prompt_attention.
    func testRandomBracketSoupsParseLikeA1111() throws {
        let file = Fixtures.localRoot.appendingPathComponent("prompt_parser_cases.json")
        guard let cases = try Fixtures.json(file)["attention"] as? [[String: Any]], !cases.isEmpty else {
            return XCTFail("no attention cases in \(file.path)")
        }
        for c in cases {
            let prompt = c["prompt"] as! String
            if c["error"] != nil {
                XCTAssertThrowsError(try PromptAttentionParser.parse(prompt), "prompt \(prompt.debugDescription)")
                continue
            }
            let expected = (c["parsed"] as! [[Any]]).map { WeightedFragment($0[0] as! String, ($0[1] as! NSNumber).doubleValue) }
            let actual = try PromptAttentionParser.parse(prompt)
            XCTAssertEqual(actual.map(\.text), expected.map(\.text), "prompt \(prompt.debugDescription)")
            // Foundation's JSON reader can be one ulp off, hence the README's 1e-12 tolerance.
            for (a, e) in zip(actual, expected) {
                XCTAssertEqual(a.weight, e.weight, accuracy: 1e-12, "prompt \(prompt.debugDescription)")
            }
        }
    }
}
