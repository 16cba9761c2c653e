import TesseraSampling
import TesseraTensor
import XCTest

final class NoiseInversionTests: XCTestCase {
    private let initLatent = Tensor(shape: [1, 1, 2, 2], data: [0.5, -0.5, 1, 2])
    private let schedule = DiscreteNoiseSchedule.stableDiffusion

    func testAConstantEpsIsRecoveredExactlyAsTheInverseNoise() throws {
        let eps = Tensor(shape: [1, 1, 2, 2], data: [0.3, -1.2, 0.7, 0.1])
        let inverted = try NoiseInversion.invert(initLatent: initLatent, steps: 10, retouch: 1, model: ClosureNoisePredictor { _, _ in eps })
        let noise = try NoiseInversion.inverseNoise(inverted: inverted, initLatent: initLatent, firstSigma: schedule.sigmaMax)
        for i in 0..<4 { XCTAssertEqual(noise.data[i], eps.data[i], accuracy: 1e-5) }
    }

    func testInversionWalksTheUniformScheduleUpwardsWithTimestepsDividedByRetouch() throws {
        var seen: [(Float, Float)] = []
        _ = try NoiseInversion.invert(initLatent: initLatent, steps: 4, retouch: 2, model: ClosureNoisePredictor { x, t in
            seen.append((t, x.data[3]))
            return Tensor(shape: x.shape, repeating: 0)
        })
        let ascending = Array(try SigmaScheduler.uniform.sigmas(steps: 4).reversed())
        XCTAssertEqual(seen.map(\.0), ascending.dropFirst().map { schedule.timestep(forSigma: $0) / 2 })
        // The model sees x scaled by c_in(σ_i); with zero eps x itself never changes.
        XCTAssertEqual(seen[0].1, 2 / (ascending[1] * ascending[1] + 1).squareRoot(), accuracy: 1e-6)
        XCTAssertThrowsError(try NoiseInversion.invert(initLatent: initLatent, steps: 4, retouch: 0, model: ClosureNoisePredictor { x, _ in x }))
    }

    func testRenoiseBlendsWithUnitVarianceAndTheMaskSelectsTheSource() throws {
        let inverse = Tensor(shape: [1, 1, 1, 3], data: [1, 1, 1])
        let random = Tensor(shape: [1, 1, 1, 3], data: [-1, -1, 3])
        let mask = Tensor(shape: [1, 3], data: [0, 1, 0.5])
        let out = try NoiseInversion.renoise(inverse: inverse, random: random, mask: mask)
        XCTAssertEqual(out.data[0], 1)
        XCTAssertEqual(out.data[1], -1)
        XCTAssertEqual(out.data[2], 2 / Float(0.5).squareRoot(), accuracy: 1e-6)
        XCTAssertThrowsError(try NoiseInversion.renoise(inverse: inverse, random: random, mask: Tensor(shape: [2], data: [0, 0])))
    }

    func testRenoiseMaskIsClampedStrengthTimesOneMinusTheFilteredImage() {
        let mask = NoiseInversion.renoiseMask(filtered: Tensor(shape: [3], data: [1, 0.5, -1]), strength: 0.8)
        XCTAssertEqual(mask.data, [0, 0.4, 1])
    }
}
