import TesseraSampling
import TesseraTensor
import XCTest

final class BrownianTreeNoiseTests: XCTestCase {
    private let shape = [1, 4, 16, 16]

    func testSameSeedAndIntervalGiveTheSameNoiseWhateverTheQueryOrder() throws {
        var a = try BrownianTreeNoise(seeds: [42], sigmaMin: 0.03, sigmaMax: 14.6)
        var b = try BrownianTreeNoise(seeds: [42], sigmaMin: 0.03, sigmaMax: 14.6)
        let first = try a.noise(from: 5, to: 3, shape: shape)
        _ = try b.noise(from: 1, to: 0.5, shape: shape)
        XCTAssertEqual(try b.noise(from: 5, to: 3, shape: shape), first)
        var other = try BrownianTreeNoise(seeds: [43], sigmaMin: 0.03, sigmaMax: 14.6)
        XCTAssertNotEqual(try other.noise(from: 5, to: 3, shape: shape), first)
    }

    func testIncrementsAreStandardNormalAndAddUpLikeBrownianMotion() throws {
        var tree = try BrownianTreeNoise(seeds: [7], sigmaMin: 0.03, sigmaMax: 14.6)
        let whole = try tree.noise(from: 8, to: 2, shape: shape)
        let upper = try tree.noise(from: 8, to: 5, shape: shape)
        let lower = try tree.noise(from: 5, to: 2, shape: shape)
        let mean = whole.data.reduce(0, +) / Float(whole.count)
        let variance = whole.data.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(whole.count)
        XCTAssertEqual(mean, 0, accuracy: 0.1)
        XCTAssertEqual(variance, 1, accuracy: 0.15)
        for i in 0..<whole.count {
            let sum = upper.data[i] * Float(3).squareRoot() + lower.data[i] * Float(3).squareRoot()
            XCTAssertEqual(whole.data[i] * Float(6).squareRoot(), sum, accuracy: 1e-3)
        }
    }

    func testEachBatchRowFollowsItsOwnSeed() throws {
        var pair = try BrownianTreeNoise(seeds: [1, 2], sigmaMin: 0.1, sigmaMax: 10)
        var single = try BrownianTreeNoise(seeds: [2], sigmaMin: 0.1, sigmaMax: 10)
        let both = try pair.noise(from: 3, to: 1, shape: [2, 4, 4, 4])
        XCTAssertEqual(Array(both.data[64...]), try single.noise(from: 3, to: 1, shape: [1, 4, 4, 4]).data)
    }

    func testAnEmptyRangeIsRejected() {
        XCTAssertThrowsError(try BrownianTreeNoise(seeds: [1], sigmaMin: 1, sigmaMax: 1))
    }
}
