import XCTest
@testable import TesseraPrompt

final class PromptScheduleTests: XCTestCase {
    private func schedule(_ prompt: String, steps: Int = 10, hires: Int? = nil) -> [[String]] {
        PromptSchedule(prompt: prompt, steps: steps, hiresSteps: hires).entries.map { ["\($0.endAtStep)", $0.prompt] }
    }

    /// Data/prompt_parser_cases.json comes from A1111's prompt_parser.py under lark 1.1.2. Where
    /// A1111's answer depends on Python's hash seed, Tessera's must be one of A1111's answers.
    func testSchedulesMatchA1111sPromptParser() throws {
        let file = Fixtures.localRoot.appendingPathComponent("prompt_parser_cases.json")
        guard let cases = try Fixtures.json(file)["schedules"] as? [[String: Any]], !cases.isEmpty else {
            return XCTFail("no schedule cases in \(file.path)")
        }
        for c in cases {
            let prompt = c["prompt"] as! String
            let steps = (c["steps"] as! NSNumber).intValue
            let hires = (c["hires_steps"] as? NSNumber)?.intValue
            let possible = (c["possible_schedules"] as! [[[Any]]]).map { entries in
                entries.map { ["\(($0[0] as! NSNumber).intValue)", $0[1] as! String] }
            }
            let actual = schedule(prompt, steps: steps, hires: hires)
            XCTAssertTrue(possible.contains(actual), "prompt \(prompt.debugDescription) steps \(steps) hires \(String(describing: hires)): \(actual) not in \(possible)")
        }
    }

    func testFromToWhenSwitchesAfterTheGivenStep() {
        XCTAssertEqual(schedule("a [cat:dog:3] b"), [["3", "a cat b"], ["10", "a dog b"]])
    }

    func testFractionalWhenIsAShareOfTheSteps() {
        XCTAssertEqual(schedule("[cat:dog:0.25]", steps: 20), [["5", "cat"], ["20", "dog"]])
    }

    func testToWhenAddsTextAndFromWhenRemovesIt() {
        XCTAssertEqual(schedule("a[ hat:4]"), [["4", "a"], ["10", "a hat"]])
        XCTAssertEqual(schedule("a[ hat::4]"), [["4", "a hat"], ["10", "a"]])
    }

    func testAlternationCyclesEveryStep() {
        XCTAssertEqual(schedule("[cat|dog]", steps: 4), [["1", "cat"], ["2", "dog"], ["3", "cat"], ["4", "dog"]])
    }

    func testEmphasisGroupsAreKeptVerbatimForTheAttentionParser() {
        XCTAssertEqual(schedule("(red:1.2) [blue] [a:b:5]"), [["5", "(red:1.2) [blue] a"], ["10", "(red:1.2) [blue] b"]])
    }

    func testUnparsablePromptIsUsedLiterallyForAllSteps() {
        XCTAssertEqual(schedule("a | b [c:2]"), [["10", "a | b [c:2]"]])
    }

    func testModelCallsCountFromZeroSoTheFirstTextLastsOneCallLongerThanItsStep() {
        // A1111's denoiser counter starts at 0 and is compared with end_at_step by `<=`.
        let s = PromptSchedule(prompt: "[cat:dog:3]", steps: 10)
        XCTAssertEqual((0..<10).map { s.prompt(atStep: $0) }, Array(repeating: "cat", count: 4) + Array(repeating: "dog", count: 6))
        XCTAssertEqual(s.prompt(atStep: 99), "dog")
    }

    func testHiresPassCountsIntegerStepsOnFromTheFirstPass() {
        XCTAssertEqual(schedule("a [b:1.5] c", steps: 10, hires: 10), [["5", "a  c"], ["10", "a b c"]])
        XCTAssertEqual(schedule("[x:y:15]", steps: 10, hires: 10), [["5", "x"], ["10", "y"]])
    }

    func testNestingUpToAHundredBracketsIsScheduled() {
        let prompt = String(repeating: "(", count: 99) + "[a:b:2]" + String(repeating: ")", count: 99)
        XCTAssertEqual(PromptSchedule(prompt: prompt, steps: 4).entries.count, 2)
    }

    func testAbsurdlyDeepNestingIsUsedLiterallyInsteadOfOverflowingTheStack() {
        let prompt = String(repeating: "(", count: 3000) + "[a:b:2]" + String(repeating: ")", count: 3000)
        XCTAssertEqual(PromptSchedule(prompt: prompt, steps: 4).entries, [.init(endAtStep: 4, prompt: prompt)])
    }
}
