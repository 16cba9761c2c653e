import XCTest
@testable import TesseraPrompt

final class PromptPlanTests: XCTestCase {
    func testTagsLeaveThePositivePromptOnlyThenANDThenSchedules() throws {
        let plan = try PromptPlan(prompt: "a [cat:dog:2] <lora:detail:0.5> AND snow :0.5 <hypernet:h:1>",
                                  negativePrompt: "blurry <lora:ignored:1>", steps: 4)
        XCTAssertEqual(plan.loras, [LoraReference(name: "detail", textEncoderMultiplier: 0.5)])
        XCTAssertEqual(plan.otherNetworkTags.map(\.kind), ["hypernet"])
        XCTAssertEqual(plan.positiveParts.map(\.weight), [1, 0.5])
        let step1 = plan.texts(atStep: 1), step3 = plan.texts(atStep: 3)
        XCTAssertEqual(step1.positive.map(\.text), ["a cat", " snow"])
        XCTAssertEqual(step3.positive.map(\.text), ["a dog", " snow"])
        XCTAssertEqual(step1.negative, "blurry <lora:ignored:1>", "negative prompts keep their tags as text")
        XCTAssertEqual(plan.distinctTexts, ["a cat", "a dog", " snow", "blurry <lora:ignored:1>"])
    }

    func testBadLoraTagFailsThePlan() {
        XCTAssertThrowsError(try PromptPlan(prompt: "<lora:x:much>", negativePrompt: "", steps: 20))
    }
}
