import XCTest
@testable import TesseraPrompt

final class InfotextTests: XCTestCase {
    private var data: [String: Any] {
        get throws { try Fixtures.json(Fixtures.localRoot.appendingPathComponent("infotext_cases.json")) }
    }

    /// Data/infotext_cases.json: A1111's own create_infotext on mocked processing objects.
    func testGeneratedInfotextMatchesA1111ByteForByte() throws {
        guard let cases = try data["generated"] as? [[String: Any]], !cases.isEmpty else { return XCTFail("no cases") }
        for c in cases {
            let p = c["processing"] as! [String: Any]
            var extra: [InfotextField] = []
            if let pairs = p["extra_generation_params"] as? [String: Any] {
                // JSONSerialization loses dict order; the generator's order is the text's order.
                let text = c["infotext"] as! String
                let ordered = pairs.keys.sorted { text.range(of: "\($0):")?.lowerBound ?? text.range(of: $0)!.lowerBound
                    < text.range(of: "\($1):")?.lowerBound ?? text.range(of: $1)!.lowerBound }
                extra = ordered.map { InfotextField($0, "\(pairs[$0]!)") }
            }
            func int(_ key: String) -> Int { (p[key] as! NSNumber).intValue }
            func double(_ key: String) -> Double { (p[key] as! NSNumber).doubleValue }
            let strength = double("subseed_strength")
            let parameters = GenerationParameters(
                prompt: c["prompt"] as! String, negativePrompt: c["negative_prompt"] as! String,
                steps: int("steps"), sampler: p["sampler_name"] as! String, scheduleType: p["scheduler"] as? String,
                cfgScale: double("cfg_scale"), seed: int("seed"), width: int("width"), height: int("height"),
                modelHash: p["sd_model_hash"] as? String, modelName: p["sd_model_name"] as? String,
                vaeHash: p["sd_vae_hash"] as? String, vaeName: p["sd_vae_name"] as? String,
                variationSeed: strength != 0 ? int("seed") + 1 : nil, variationSeedStrength: strength,
                seedResizeFromWidth: int("seed_resize_from_w"), seedResizeFromHeight: int("seed_resize_from_h"),
                extra: extra, version: "v1.10.1")
            XCTAssertEqual(parameters.infotext.text, c["infotext"] as! String, "case \(c["name"]!)")
        }
    }

    /// A1111's parse_generation_parameters on its own output and on awkward hand-written text.
    func testParsingMatchesA1111sParseGenerationParameters() throws {
        guard let cases = try data["parsed"] as? [[String: Any]], !cases.isEmpty else { return XCTFail("no cases") }
        for c in cases {
            let text = c["infotext"] as! String
            XCTAssertEqual(Infotext(parsing: text).a1111Values(), c["parsed"] as! [String: String], "infotext \(text.debugDescription)")
        }
    }

    func testQuotingMatchesA1111() throws {
        guard let cases = try data["quotes"] as? [[String: Any]], !cases.isEmpty else { return XCTFail("no cases") }
        for c in cases {
            XCTAssertEqual(InfotextQuoting.quote(c["value"] as! String), c["quoted"] as! String)
        }
    }

    func testRoundTripKeepsMultiLinePromptsAndQuotedValues() throws {
        let original = Infotext(prompt: "line one, (red:1.2)\nline two", negativePrompt: "bad\nworse", fields: [
            InfotextField("Steps", "20"), InfotextField("Sampler", "Euler a"),
            InfotextField("ControlNet 0", "Module: tile_resample, Weight: 1.0"),
            InfotextField("Note", "say \"hi\"\\, then: bye\nnext"), InfotextField("Size", "512x768"),
        ])
        let reparsed = Infotext(parsing: original.text)
        XCTAssertEqual(reparsed, original)
        XCTAssertEqual(reparsed.a1111Values()["Size-1"], "512")
        XCTAssertEqual(reparsed.a1111Values()["Size-2"], "768")
    }

    func testNegativePromptLineIsOmittedWhenEmpty() {
        let text = Infotext(prompt: "cat", fields: [InfotextField("Steps", "20")]).text
        XCTAssertEqual(text, "cat\nSteps: 20")
    }

    func testLastLineWithFewerThanThreePairsIsPromptText() {
        let parsed = Infotext(parsing: "a prompt\nSteps: 20, Sampler: Euler")
        XCTAssertEqual(parsed.prompt, "a prompt\nSteps: 20, Sampler: Euler")
        XCTAssertTrue(parsed.fields.isEmpty)
    }

    func testTypedParametersRoundTripThroughTheText() throws {
        let parameters = GenerationParameters(
            prompt: "portrait", negativePrompt: "ugly", steps: 30, sampler: "Euler a", scheduleType: "Automatic",
            cfgScale: 7.5, seed: 42, width: 768, height: 512, modelHash: "6ce0161689", modelName: "v1-5-pruned-emaonly",
            variationSeed: 7, variationSeedStrength: 0.3, denoisingStrength: 0.35, clipSkip: 2,
            extra: [InfotextField("Mask blur", "4"), InfotextField("Lora hashes", GenerationParameters.loraHashesValue([("de:tail", "0123456789ab")]))],
            version: "tessera-0.1")
        let text = parameters.infotext.text
        XCTAssertEqual(text, """
            portrait
            Negative prompt: ugly
            Steps: 30, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7.5, Seed: 42, Size: 768x512, \
            Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Variation seed: 7, Variation seed strength: 0.3, \
            Denoising strength: 0.35, Clip skip: 2, Mask blur: 4, Lora hashes: "detail: 0123456789ab", Version: tessera-0.1
            """)
        XCTAssertEqual(try GenerationParameters(infotext: Infotext(parsing: text)), parameters)
    }

    func testExtraKeyFromTheFixedListKeepsTheFixedPosition() {
        let parameters = GenerationParameters(prompt: "x", scheduleType: nil, seed: 1,
                                              extra: [InfotextField("Mask blur", "4"), InfotextField("Schedule type", "Karras")])
        XCTAssertEqual(parameters.infotext.fields.map(\.key), ["Steps", "Sampler", "Schedule type", "CFG scale", "Seed", "Size", "Mask blur"])
    }

    func testIntegralUIValuesPrintWithoutDecimals() {
        XCTAssertEqual(PythonNumberFormat.uiNumber(7), "7")
        XCTAssertEqual(PythonNumberFormat.uiNumber(0.75), "0.75")
        XCTAssertEqual(PythonNumberFormat.repr(9999999999999998), "9999999999999998.0")
        XCTAssertEqual(PythonNumberFormat.repr(1e-5), "1e-05")
    }

    func testMalformedTypedValueNamesTheKey() {
        let infotext = Infotext(parsing: "x\nSteps: twenty, Sampler: Euler, Seed: 1")
        XCTAssertThrowsError(try GenerationParameters(infotext: infotext)) { error in
            XCTAssertEqual("\(error)", "infotext: 'Steps: twenty' should be an integer")
        }
    }

    func testLoraHashesSplitBackIntoPairs() {
        let value = GenerationParameters.loraHashesValue([("a", "1234"), ("b, c", "5678")])
        XCTAssertEqual(value, "a: 1234, b c: 5678")
        XCTAssertEqual(GenerationParameters.parseHashes(value).map { "\($0.name)=\($0.hash)" }, ["a=1234", "b c=5678"])
    }
}
