import Foundation
import TesseraTensor
import XCTest

final class NormalizationTests: XCTestCase {
    func testGroupNormNormalisesEachGroupThenAppliesTheAffine() {
        let x = Naive.random([2, 4, 3, 3], seed: 13, scale: 5)
        let w = Tensor(shape: [4], data: [1, 2, 0.5, -1]), b = Tensor(shape: [4], data: [0, 1, -1, 0.25])
        let y = groupNorm(x, groups: 2, weight: w, bias: b, eps: 1e-5)
        for n in 0..<2 { for g in 0..<2 {
            let idx = (0..<18).map { n * 36 + g * 18 + $0 }
            let vals = idx.map { Double(x.data[$0]) }
            let mean = vals.reduce(0, +) / 18
            let variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 18
            for (k, i) in idx.enumerated() {
                let ch = g * 2 + k / 9
                let expected = (vals[k] - mean) / (variance + 1e-5).squareRoot() * Double(w.data[ch]) + Double(b.data[ch])
                XCTAssertEqual(Double(y.data[i]), expected, accuracy: 1e-5)
            }
        } }
    }

    func testFusedSiLUEqualsSiLUAfterGroupNorm() {
        let x = Naive.random([1, 4, 5, 5], seed: 14, scale: 3)
        let w = Tensor(shape: [4], repeating: 1), b = Tensor(shape: [4], repeating: 0.1)
        let fused = groupNorm(x, groups: 2, weight: w, bias: b, eps: 1e-6, silu: true)
        let separate = groupNorm(x, groups: 2, weight: w, bias: b, eps: 1e-6).applying(.silu)
        XCTAssertLessThan(maxRelativeError(fused, separate), 1e-6)
        let plain = groupNorm(x, groups: 2, weight: w, bias: b, eps: 1e-6)
        for i in 0..<plain.count {
            let v = Double(plain.data[i])
            XCTAssertEqual(Double(fused.data[i]), v / (1 + Foundation.exp(-v)), accuracy: 1e-6)
        }
    }

    func testLayerNormOverTheLastDimension() {
        let x = Naive.random([3, 6], seed: 15, scale: 4)
        let y = layerNorm(x, weight: Tensor(shape: [6], repeating: 1), bias: Tensor(shape: [6], repeating: 0), eps: 1e-5)
        for r in 0..<3 {
            let row = y.data[(r * 6)..<(r * 6 + 6)]
            XCTAssertEqual(row.reduce(0, +) / 6, 0, accuracy: 1e-5)
            XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / 6, 1, accuracy: 1e-3)
        }
    }
}
