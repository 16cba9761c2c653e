import TesseraSampling
import TesseraTensor
import XCTest

final class GuidanceAndDenoiserTests: XCTestCase {
    func testCFGIsUncondPlusScaledDifference() throws {
        let cond = Tensor(shape: [2], data: [1, 3]), uncond = Tensor(shape: [2], data: [0, 1])
        XCTAssertEqual(try ClassifierFreeGuidance.combine(cond: cond, uncond: uncond, scale: 7).data, [7, 15])
        XCTAssertEqual(try ClassifierFreeGuidance.combine(cond: cond, uncond: uncond, scale: 1).data, cond.data)
        XCTAssertThrowsError(try ClassifierFreeGuidance.combine(cond: cond, uncond: Tensor(shape: [1], data: [0]), scale: 1))
    }

    func testGuidedPredictorRunsOneBatchWithCondRowsFirstThenUncond() throws {
        var seenShape: [Int] = []
        let guided = GuidedNoisePredictor(scale: 2) { batch, _ in
            seenShape = batch.shape
            // cond rows answer 1, uncond rows answer 0.
            let half = batch.count / 2
            return Tensor(shape: batch.shape, data: [Float](repeating: 1, count: half) + [Float](repeating: 0, count: half))
        }
        let eps = try guided.predictNoise(Tensor(shape: [1, 4, 2, 2], repeating: 0.3), timestep: 500)
        XCTAssertEqual(seenShape, [2, 4, 2, 2])
        XCTAssertEqual(eps.data, [Float](repeating: 2, count: 16))
    }

    func testANDSubpromptsAddWeightedTermsAndTheBatchIsImageMajorCondsThenUnconds() throws {
        var rows: [Float] = []
        // Two images (latent values 1 and 2), two subprompts weighted 1 and 0.5.
        let guided = GuidedNoisePredictor(scale: 3, subpromptWeights: [1, 0.5]) { batch, _ in
            rows = stride(from: 0, to: batch.count, by: 4).map { batch.data[$0] }
            // Row r answers r, so the layout is visible in the result.
            return Tensor(shape: batch.shape, data: (0..<batch.count).map { Float($0 / 4) })
        }
        let x = Tensor(shape: [2, 4, 1, 1], data: [1, 1, 1, 1, 2, 2, 2, 2])
        let eps = try guided.predictNoise(x, timestep: 10)
        XCTAssertEqual(rows, [1, 1, 2, 2, 1, 2])  // image 0 ×2, image 1 ×2, uncond 0, uncond 1
        // image 0: u = 4, conds 0 and 1 → 4 + (0−4)·3 + (1−4)·1.5 = −12.5
        // image 1: u = 5, conds 2 and 3 → 5 + (2−5)·3 + (3−5)·1.5 = −7
        XCTAssertEqual(eps.data, [-12.5, -12.5, -12.5, -12.5, -7, -7, -7, -7])
        XCTAssertThrowsError(try ClassifierFreeGuidance.combine(conds: [x], weights: [1, 2], uncond: x, scale: 1))
    }

    func testCompVisDenoiserScalesTheInputPassesTheInterpolatedTimestepAndReturnsXMinusSigmaEps() throws {
        let schedule = DiscreteNoiseSchedule.stableDiffusion
        let sigma = schedule.sigmas[500]
        var seenT: Float = -1
        var seenInput: Float = 0
        let model = ClosureNoisePredictor { x, t in
            seenT = t
            seenInput = x.data[0]
            return Tensor(shape: x.shape, repeating: 0.5)
        }
        let denoised = try CompVisDenoiser(model: model).denoise(Tensor(shape: [1, 1, 1, 1], data: [2]), sigma: sigma)
        XCTAssertEqual(seenT, 500, accuracy: 1e-3)
        XCTAssertEqual(seenInput, 2 / (sigma * sigma + 1).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(denoised.data[0], 2 - sigma * 0.5, accuracy: 1e-6)
    }
}
