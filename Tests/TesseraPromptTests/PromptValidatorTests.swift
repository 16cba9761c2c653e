import XCTest
@testable import TesseraPrompt

final class PromptValidatorTests: XCTestCase {
    func testUnclosedRoundBracketIsReportedWithItsPosition() {
        XCTAssertThrowsError(try PromptValidator.validate("(cat:1.2")) { error in
            XCTAssertEqual("\(error)", "prompt: '(cat:1.2' has an unclosed '(' at character 1")
        }
    }

    func testStrayClosingBracketIsAnError() {
        let issues = PromptValidator.issues(in: "a cat]")
        XCTAssertEqual(issues.map(\.severity), [.error])
        XCTAssertEqual(issues.first?.position, 6)
    }

    func testMismatchedBracketsAreAnError() {
        XCTAssertEqual(PromptValidator.issues(in: "(cat]").first?.severity, .error)
    }

    func testUnreadableNumericWeightIsAnError() {
        XCTAssertEqual(PromptValidator.issues(in: "(cat:1.2.3)").map(\.severity), [.error])
    }

    func testWordAfterColonIsAWarningBecauseA1111ReadsItAsText() {
        let issues = PromptValidator.issues(in: "(cat:abc)")
        XCTAssertEqual(issues.map(\.severity), [.warning])
        XCTAssertNoThrow(try PromptValidator.validate("(cat:abc)"))
    }

    func testNumberWithJunkAfterASpaceIsAWarning() {
        XCTAssertEqual(PromptValidator.issues(in: "(cat: 1.2x)").map(\.severity), [.warning])
    }

    func testBreakInsideBracketsIsAWarningBecauseItBecomesANegativelyWeightedWord() throws {
        XCTAssertEqual(try PromptAttentionParser.parse("(a BREAK b)"), [.init("a", 1.1), .init("BREAK", -1.1), .init("b", 1.1)])
        let issues = PromptValidator.issues(in: "(a BREAK b)")
        XCTAssertEqual(issues.map(\.severity), [.warning])
        XCTAssertEqual(issues.first?.position, 4)
    }

    func testWellFormedPromptHasNoIssues() {
        XCTAssertEqual(PromptValidator.issues(in: "a (red:1.2) car, [blue] \\(sky\\) [cat:dog:0.5] <lora:x(v2):0.7> BREAK (style: watercolor)"), [])
    }

    func testBadLoraTagIsAnErrorAtTheTag() {
        let issues = PromptValidator.issues(in: "cat <lora:x:abc>")
        XCTAssertEqual(issues.map(\.position), [5])
        XCTAssertTrue(issues[0].message.contains("not a number"))
    }

    func testUnclosedLoraTagIsAnError() {
        XCTAssertEqual(PromptValidator.issues(in: "cat <lora:x:1").map(\.severity), [.error])
    }

    func testValidationErrorNamesTheField() {
        XCTAssertThrowsError(try PromptValidator.validate("[x", field: "negative prompt")) { error in
            XCTAssertEqual("\(error)", "negative prompt: '[x' has an unclosed '[' at character 1")
        }
    }
}
