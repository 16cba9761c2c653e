import Foundation
import TesseraTensor
import XCTest

final class ElementaryOpsTests: XCTestCase {
    func testVectorisedExpMatchesLibmAcrossTheRange() {
        var values = stride(from: Float(-80), through: 80, by: 0.37).map { $0 }
        let expected = values.map { Foundation.exp($0) }
        values.withUnsafeMutableBufferPointer { VectorMath.exp($0.baseAddress!, count: $0.count) }
        for (a, b) in zip(values, expected) { XCTAssertEqual(a, b, accuracy: b * 2e-6) }
    }

    func testActivationsFollowTheirDefinitions() {
        let x = Tensor(shape: [5], data: [-3, -0.5, 0, 0.7, 4])
        let gelu = x.applying(.gelu), quick = x.applying(.quickGelu), silu = x.applying(.silu)
        let leaky = x.applying(.leakyReLU(slope: 0.2))
        for i in 0..<5 {
            let v = x.data[i]
            XCTAssertEqual(gelu.data[i], 0.5 * v * (1 + erff(v / 2.0.squareRoot().float)), accuracy: 1e-6)
            XCTAssertEqual(quick.data[i], v / (1 + Foundation.exp(-1.702 * v)), accuracy: 1e-6)
            XCTAssertEqual(silu.data[i], v / (1 + Foundation.exp(-v)), accuracy: 1e-6)
            XCTAssertEqual(leaky.data[i], v < 0 ? 0.2 * v : v)
        }
    }

    func testGEGLUMultipliesTheFirstHalfByGELUOfTheSecond() {
        let p = Tensor(shape: [1, 4], data: [2, -1, 0.5, 3])
        let y = geglu(p)
        XCTAssertEqual(y.shape, [1, 2])
        XCTAssertEqual(y.data[0], 2 * 0.5 * 0.5 * (1 + erff(0.5 / 2.0.squareRoot().float)), accuracy: 1e-6)
        XCTAssertEqual(y.data[1], -1 * 0.5 * 3 * (1 + erff(3 / 2.0.squareRoot().float)), accuracy: 1e-6)
    }

    func testTimestepEmbeddingPutsCosineFirstWhenFlipped() {
        let e = timestepEmbedding([0, 10], dim: 4)
        XCTAssertEqual(Array(e.data[0..<4]), [1, 1, 0, 0])
        // half = 2: frequencies 1 and 1/100.
        XCTAssertEqual(e.data[4], Foundation.cos(10), accuracy: 1e-5)
        XCTAssertEqual(e.data[5], Foundation.cos(0.1), accuracy: 1e-5)
        XCTAssertEqual(e.data[6], Foundation.sin(10), accuracy: 1e-5)
        XCTAssertEqual(e.data[7], Foundation.sin(0.1), accuracy: 1e-5)
    }

    func testLinearIsXTimesWTransposedPlusBias() {
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let w = Tensor(shape: [2, 3], data: [1, 0, -1, 0.5, 0.5, 0.5])
        let y = linear(x, weight: w, bias: Tensor(shape: [2], data: [10, 20]))
        XCTAssertEqual(y.data, [8, 23, 8, 27.5])
    }

    func testParallelGemmSplitsGiveTheSerialResult() {
        let a = Naive.random([300, 200], seed: 16), b = Naive.random([200, 500], seed: 17)
        var serial = [Float](repeating: 0, count: 300 * 500), parallel = serial
        a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in
            serial.withUnsafeMutableBufferPointer { c in
                BLAS.gemmSerial(m: 300, n: 500, k: 200, a: pa.baseAddress!, lda: 200, b: pb.baseAddress!, ldb: 500, c: c.baseAddress!, ldc: 500)
            }
            parallel.withUnsafeMutableBufferPointer { c in
                BLAS.gemm(m: 300, n: 500, k: 200, a: pa.baseAddress!, lda: 200, b: pb.baseAddress!, ldb: 500, c: c.baseAddress!, ldc: 500)
            }
        } }
        // Split blocks may take other kernel edge paths: equal up to rounding, not bit for bit.
        XCTAssertLessThan(maxRelativeError(Tensor(shape: [300, 500], data: parallel), Tensor(shape: [300, 500], data: serial)), 1e-6)
    }
}

private extension Double { var float: Float { Float(self) } }

final class GELUAccuracyTests: XCTestCase {
    func testVectorisedGELUMatchesTheErfDefinitionAcrossTheRange() {
        var values = stride(from: Float(-9), through: 9, by: 0.013).map { $0 }
        let expected = values.map { Double($0) * 0.5 * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        values.withUnsafeMutableBufferPointer { VectorMath.gelu($0.baseAddress!, count: $0.count) }
        for (a, b) in zip(values, expected) {
            XCTAssertEqual(Double(a), b, accuracy: 1e-6 * max(1, abs(b)))
        }
    }
}
