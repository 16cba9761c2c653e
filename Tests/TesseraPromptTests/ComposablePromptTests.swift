import XCTest
@testable import TesseraPrompt

final class ComposablePromptTests: XCTestCase {
    func testANDSplitsWithOptionalTrailingWeights() {
        let composed = ComposablePrompt("a cat :1.5 AND a dog AND snow: -0.5")
        XCTAssertEqual(composed.parts, [.init(text: "a cat", weight: 1.5), .init(text: " a dog", weight: 1), .init(text: " snow", weight: -0.5)])
    }

    func testANDInsideAWordDoesNotSplit() {
        XCTAssertEqual(ComposablePrompt("SANDY beach ANDROID").parts.count, 1)
    }

    func testColonFollowedByTextIsNotAWeight() {
        XCTAssertEqual(ComposablePrompt("style: watercolor").parts, [.init(text: "style: watercolor", weight: 1)])
    }

    func testRepeatedPartsAreEncodedOnce() {
        XCTAssertEqual(ComposablePrompt("x AND y AND y").distinctTexts, ["x", " y"])
    }
}

final class ComposablePromptCorpusTests: XCTestCase {
    /// 150 random AND/weight mixes through A1111's get_multicond_prompt_list.
    func testRandomPromptsSplitLikeA1111() throws {
        let file = Fixtures.localRoot.appendingPathComponent("prompt_parser_cases.json")
        guard let cases = try Fixtures.json(file)["composable"] as? [[String: Any]], !cases.isEmpty else {
            return XCTFail("no composable cases in \(file.path)")
        }
        for c in cases {
            let prompt = c["prompt"] as! String
            let expected = (c["parts"] as! [[Any]]).map { ComposablePrompt.Part(text: $0[0] as! String, weight: ($0[1] as! NSNumber).doubleValue) }
            XCTAssertEqual(ComposablePrompt(prompt).parts, expected, "prompt \(prompt.debugDescription)")
        }
    }
}
