import TesseraSampling
import TesseraTensor
import XCTest

final class BrownianTreeNoiseTests: XCTestCase {
    private let image = [4, 8, 8]

    private func tree(_ seeds: [Int64], _ normals: BrownianNormalSource = .torchCPU) throws -> BrownianTreeNoise {
        try BrownianTreeNoise(seeds: seeds, imageShape: image, sigmaMin: 0.0291675, sigmaMax: 14.614642, normals: normals)
    }

    func testSameSeedAndIntervalGiveTheSameNoiseWhateverTheQueryOrder() throws {
        var a = try tree([42]), b = try tree([42])
        let first = try a.noise(from: 5, to: 3, shape: [1] + image)
        _ = try b.noise(from: 1, to: 0.5, shape: [1] + image)
        _ = try b.noise(from: 14, to: 0.1, shape: [1] + image)
        XCTAssertEqual(try b.noise(from: 5, to: 3, shape: [1] + image), first)
        var other = try tree([43])
        XCTAssertNotEqual(try other.noise(from: 5, to: 3, shape: [1] + image), first)
    }

    func testIncrementsAddUpLikeBrownianMotion() throws {
        var t = try tree([7])
        let shape = [1] + image
        let whole = try t.noise(from: 8, to: 2, shape: shape)
        let upper = try t.noise(from: 8, to: 5, shape: shape)
        let lower = try t.noise(from: 5, to: 2, shape: shape)
        let root3 = Float(3).squareRoot(), root6 = Float(6).squareRoot()
        for i in 0..<whole.count {
            let sum = upper.data[i] * root3 + lower.data[i] * root3
            XCTAssertEqual(whole.data[i] * root6, sum, accuracy: 1e-4)
        }
    }

    func testIncrementsAreStandardNormal() throws {
        var t = try BrownianTreeNoise(seeds: [11], imageShape: [4, 32, 32], sigmaMin: 0.03, sigmaMax: 14.6)
        let n = try t.noise(from: 9, to: 4, shape: [1, 4, 32, 32])
        let mean = n.data.reduce(0, +) / Float(n.count)
        let variance = n.data.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n.count)
        XCTAssertEqual(mean, 0, accuracy: 0.06)
        XCTAssertEqual(variance, 1, accuracy: 0.08)
    }

    func testAscendingQueryIsTheNegatedDescendingOne() throws {
        var t = try tree([3])
        let down = try t.noise(from: 6, to: 2, shape: [1] + image)
        let up = try t.noise(from: 2, to: 6, shape: [1] + image)
        XCTAssertEqual(up.data, down.data.map { -$0 })
    }

    func testEachBatchRowFollowsItsOwnSeedSoBatchSizeDoesNotChangeTheNoise() throws {
        var pair = try tree([1, 2]), single = try tree([2])
        let both = try pair.noise(from: 3, to: 1, shape: [2] + image)
        let count = image.reduce(1, *)
        XCTAssertEqual(Array(both.data[count...]), try single.noise(from: 3, to: 1, shape: [1] + image).data)
    }

    func testCPUAndPhiloxNormalsGiveDifferentButEquallyDeterministicPaths() throws {
        var cpu = try tree([5], .torchCPU), nv = try tree([5], .cudaPhilox), nvAgain = try tree([5], .cudaPhilox)
        let a = try nv.noise(from: 4, to: 1, shape: [1] + image)
        XCTAssertEqual(a, try nvAgain.noise(from: 4, to: 1, shape: [1] + image))
        XCTAssertNotEqual(a, try cpu.noise(from: 4, to: 1, shape: [1] + image))
    }

    func testTheRNGSourceChoosesTheNormalsAsA1111sDeviceWould() {
        XCTAssertEqual(BrownianNormalSource(matching: .nv), .cudaPhilox)
        XCTAssertEqual(BrownianNormalSource(matching: .cpu), .torchCPU)
    }

    func testBadRangesShapesAndSeedsAreRejectedWithTheFieldNamed() throws {
        XCTAssertThrowsError(try BrownianTreeNoise(seeds: [1], imageShape: image, sigmaMin: 0, sigmaMax: 1)) {
            XCTAssertTrue("\($0)".contains("Brownian tree range"), "\($0)")
        }
        XCTAssertThrowsError(try BrownianTreeNoise(seeds: [-5], imageShape: image, sigmaMin: 0.1, sigmaMax: 1)) {
            XCTAssertTrue("\($0)".contains("seed"), "\($0)")
        }
        XCTAssertThrowsError(try BrownianTreeNoise(seeds: [1], imageShape: image, schedule: [0, 0])) {
            XCTAssertTrue("\($0)".contains("sigmas"), "\($0)")
        }
        var t = try tree([1])
        XCTAssertThrowsError(try t.noise(from: 2, to: 1, shape: [2] + image)) {
            XCTAssertTrue("\($0)".contains("shape"), "\($0)")
        }
    }

    func testQueriesFinerThanTheTreeResolutionAreAnErrorNotAHang() throws {
        var t = try tree([1])
        XCTAssertThrowsError(try t.noise(from: 5.0000005, to: 5.0, shape: [1] + image))
    }
}
