import TesseraTensor
import XCTest

final class AttentionTests: XCTestCase {
    func testBlockedAttentionEqualsFullSoftmaxAcrossSeveralKeyAndQueryBlocks() {
        let q = Naive.random([2, 37, 8], seed: 4, scale: 2), k = Naive.random([2, 53, 8], seed: 5, scale: 2)
        let v = Naive.random([2, 53, 8], seed: 6)
        let ours = attention(query: q, key: k, value: v, heads: 2, queryBlock: 8, keyBlock: 16)
        XCTAssertLessThan(maxRelativeError(ours, Naive.attention(q, k, v, heads: 2, causal: false)), 1e-5)
    }

    func testCausalAttentionIgnoresLaterKeys() {
        let q = Naive.random([1, 21, 6], seed: 7, scale: 2), k = Naive.random([1, 21, 6], seed: 8, scale: 2)
        let v = Naive.random([1, 21, 6], seed: 9)
        let ours = attention(query: q, key: k, value: v, heads: 3, causal: true, queryBlock: 4, keyBlock: 5)
        XCTAssertLessThan(maxRelativeError(ours, Naive.attention(q, k, v, heads: 3, causal: true)), 1e-5)
    }

    func testLargeScoresDoNotOverflowTheSoftmax() {
        let q = Naive.random([1, 4, 4], seed: 10, scale: 60), k = Naive.random([1, 9, 4], seed: 11, scale: 60)
        let v = Naive.random([1, 9, 4], seed: 12)
        let ours = attention(query: q, key: k, value: v, heads: 1, keyBlock: 3)
        XCTAssertTrue(ours.data.allSatisfy { $0.isFinite })
        XCTAssertLessThan(maxRelativeError(ours, Naive.attention(q, k, v, heads: 1, causal: false)), 1e-4)
    }
}
