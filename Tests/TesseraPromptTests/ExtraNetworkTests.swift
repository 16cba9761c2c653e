import XCTest
@testable import TesseraPrompt

final class ExtraNetworkTests: XCTestCase {
    func testTagsAreRemovedAndSurroundingSpacesStay() {
        let parsed = ExtraNetworkParser.parse("a cat <lora:detail:0.6> on a mat<hypernet:x:1>")
        XCTAssertEqual(parsed.prompt, "a cat  on a mat")
        XCTAssertEqual(parsed.tags.map(\.kind), ["lora", "hypernet"])
        XCTAssertEqual(parsed.tags[0].items, ["detail", "0.6"])
    }

    func testLoraDefaultsToMultiplierOneForBothParts() throws {
        let lora = try LoraReference(tag: ExtraNetworkParser.parse("<lora:style>").tags[0])
        XCTAssertEqual(lora, LoraReference(name: "style", textEncoderMultiplier: 1, unetMultiplier: 1))
    }

    func testUnetMultiplierDefaultsToTheTextEncoderOne() throws {
        let lora = try LoraReference(tag: ExtraNetworkParser.parse("<lora:style:0.7>").tags[0])
        XCTAssertEqual(lora.textEncoderMultiplier, 0.7)
        XCTAssertEqual(lora.unetMultiplier, 0.7)
    }

    func testPositionalTeUnetAndDyn() throws {
        let lora = try LoraReference(tag: ExtraNetworkParser.parse("<lora:style:0.5:0.8:16>").tags[0])
        XCTAssertEqual(lora, LoraReference(name: "style", textEncoderMultiplier: 0.5, unetMultiplier: 0.8, dynamicDimension: 16))
    }

    func testNamedArgumentsOverridePositionalOnes() throws {
        let lora = try LoraReference(tag: ExtraNetworkParser.parse("<lora:style:0.5:unet=0.2:dyn=8:te=0.9>").tags[0])
        XCTAssertEqual(lora, LoraReference(name: "style", textEncoderMultiplier: 0.9, unetMultiplier: 0.2, dynamicDimension: 8))
    }

    func testLycoIsAnAliasAndKindsGroupInFirstAppearanceOrder() throws {
        let tags = ExtraNetworkParser.parse("<lyco:a:1> <lora:b:0.5> <lyco:c> <hypernet:h:1>").tags
        XCTAssertEqual(try LoraReference.references(in: tags).map(\.name), ["a", "c", "b"])
    }

    func testOnlyTheFirstPromptOfABatchChoosesNetworks() {
        let batch = ExtraNetworkParser.parse(batch: ["x <lora:a:1>", "y <lora:b:1>"])
        XCTAssertEqual(batch.prompts, ["x ", "y "])
        XCTAssertEqual(batch.tags.map { $0.items[0] }, ["a"])
    }

    func testEmptyTagIsNotATagAndStaysInThePrompt() {
        XCTAssertEqual(ExtraNetworkParser.parse("a <lora:> b").prompt, "a <lora:> b")
        XCTAssertEqual(ExtraNetworkParser.parse("a <:x> b").tags, [])
    }

    func testNonNumericMultiplierIsAnErrorNamingTheTag() {
        let tag = ExtraNetworkParser.parse("<lora:style:strong>").tags[0]
        XCTAssertThrowsError(try LoraReference(tag: tag)) { error in
            XCTAssertEqual("\(error)", "prompt: <lora:style:strong> has te multiplier 'strong', which is not a number")
        }
    }

    func testTagWithoutANameIsAnError() {
        let tag = ExtraNetworkParser.parse("<lora:te=0.5>").tags[0]
        XCTAssertThrowsError(try LoraReference(tag: tag)) { error in
            XCTAssertEqual(error as? ExtraNetworkError, .missingName(tag: "<lora:te=0.5>"))
        }
    }

    func testItemWithTwoEqualsSignsIsPositional() {
        let tag = ExtraNetworkTag(kind: "lora", items: ["n", "a=b=c"])
        XCTAssertEqual(tag.positional, ["n", "a=b=c"])
        XCTAssertEqual(tag.named, [:])
    }
}

final class ExtraNetworkCorpusTests: XCTestCase {
    /// 150 random tag soups through A1111's extra_networks.parse_prompt and the Lora extension's
    /// activate() (with load_networks recording its arguments).
    func testRandomTagSoupsParseAndActivateLikeA1111() throws {
        let file = Fixtures.localRoot.appendingPathComponent("prompt_parser_cases.json")
        guard let cases = try Fixtures.json(file)["networks"] as? [[String: Any]], !cases.isEmpty else {
            return XCTFail("no network cases in \(file.path)")
        }
        for c in cases {
            let prompt = c["prompt"] as! String
            let parsed = ExtraNetworkParser.parse(prompt)
            XCTAssertEqual(parsed.prompt, c["stripped"] as! String, "prompt \(prompt.debugDescription)")
            // A1111 groups tags by kind, kinds in order of first appearance.
            var kinds: [String] = []
            for tag in parsed.tags where !kinds.contains(tag.kind) { kinds.append(tag.kind) }
            let grouped = kinds.flatMap { kind in parsed.tags.filter { $0.kind == kind } }
            let expectedTags = (c["tags_by_kind"] as! [[Any]]).map { ExtraNetworkTag(kind: $0[0] as! String, items: $0[1] as! [String]) }
            XCTAssertEqual(grouped, expectedTags, "prompt \(prompt.debugDescription)")
            if c["lora_error"] != nil {
                XCTAssertThrowsError(try LoraReference.references(in: parsed.tags), "prompt \(prompt.debugDescription)")
            } else if let loras = c["loras"] as? [[Any]] {
                let expected = loras.map {
                    LoraReference(name: $0[0] as! String, textEncoderMultiplier: ($0[1] as! NSNumber).doubleValue,
                                  unetMultiplier: ($0[2] as! NSNumber).doubleValue, dynamicDimension: ($0[3] as? NSNumber)?.intValue)
                }
                XCTAssertEqual(try LoraReference.references(in: parsed.tags), expected, "prompt \(prompt.debugDescription)")
            }
        }
    }
}
