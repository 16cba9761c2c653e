import XCTest
@testable import TesseraPrompt

final class ConditioningStackingTests: XCTestCase {
    func testShorterConditioningRepeatsItsLastTokenVector() throws {
        let short: [Float] = [1, 2, 3, 4]           // 2 tokens × width 2
        let long: [Float] = [9, 9, 8, 8, 7, 7, 6, 6] // 4 tokens
        let padded = try ConditioningStacking.padToLongest([short, long], width: 2)
        XCTAssertEqual(padded[0], [1, 2, 3, 4, 3, 4, 3, 4])
        XCTAssertEqual(padded[1], long)
    }

    func testRaggedTensorIsAnError() {
        XCTAssertThrowsError(try ConditioningStacking.padToLongest([[1, 2, 3]], width: 2)) { error in
            XCTAssertEqual("\(error)", "conditioning 0 holds 3 values, not a whole number of 2-wide token vectors")
        }
    }
}
