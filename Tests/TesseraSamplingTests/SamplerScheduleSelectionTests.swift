import TesseraSampling
import TesseraTensor
import XCTest

final class SamplerScheduleSelectionTests: XCTestCase {
    func testDPM2SchedulesAreBuiltOneLongerWithThePenultimateSigmaDropped() throws {
        let longer = try SigmaScheduler.karras.sigmas(steps: 11)
        let sigmas = try SamplerSelection(sampler: .dpm2).sigmas(steps: 10)
        XCTAssertEqual(sigmas.count, 11)
        XCTAssertEqual(Array(sigmas.prefix(10)), Array(longer.prefix(10)))
        XCTAssertEqual(sigmas.last, 0)
        XCTAssertEqual(try SamplerSelection(sampler: .dpmpp2M).sigmas(steps: 10), try SigmaScheduler.karras.sigmas(steps: 10))
    }

    func testImg2ImgPlanSlicesTheSamplersOwnSchedule() throws {
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .eulerAncestral), steps: 20, denoisingStrength: 0.75)
        let full = try SigmaScheduler.uniform.sigmas(steps: 20)
        XCTAssertEqual(try plan.sigmas(), Array(full[4...]))
        let fixed = SamplingPlan(selection: SamplerSelection(sampler: .eulerAncestral), steps: 20, denoisingStrength: 0.75, fixSteps: true)
        XCTAssertEqual(try fixed.sigmas().count, 21)
    }

    func testLMSCoefficientsIntegrateTheLagrangeBasisOverTheStep() {
        let sigmas: [Double] = [10, 6, 3, 1.5, 0.5, 0]
        for i in 0..<5 {
            let order = min(i + 1, 4)
            let sum = (0..<order).map { LMSSampler.coefficient(order: order, nodes: sigmas, i: i, j: $0) }.reduce(0, +)
            XCTAssertEqual(sum, sigmas[i + 1] - sigmas[i], accuracy: 1e-12, "step \(i)")
        }
        XCTAssertEqual(LMSSampler.coefficient(order: 1, nodes: sigmas, i: 0, j: 0), -4, accuracy: 1e-12)
        // Order 2 over nodes 6 (j = 0) and 10 (j = 1), integrated from 6 to 3:
        // ℓ_0(τ) = (τ − 10)/(6 − 10) → ∫ = [(τ−10)²/(−8)] from 6 to 3 = (49 − 16)/(−8) = −4.125
        XCTAssertEqual(LMSSampler.coefficient(order: 2, nodes: sigmas, i: 1, j: 0), -4.125, accuracy: 1e-12)
    }

    func testDDIMWithTheTrueNoiseRecoversTheCleanLatentUpToTheFinalAlpha() throws {
        let plan = try DDIMTimesteps(steps: 10, table: DiscreteNoiseSchedule.stableDiffusion.alphasCumprod)
        let x0 = Tensor(shape: [1, 1, 1, 3], data: [0.5, -1, 2])
        let eps = Tensor(shape: [1, 1, 1, 3], data: [1, 0.25, -0.5])
        let aT = plan.alphasCumprod[0]
        let start = Tensor(shape: x0.shape, data: zip(x0.data, eps.data).map { aT.squareRoot() * $0 + (1 - aT).squareRoot() * $1 })
        var none = NoNoise()
        var predictions = [Tensor]()
        let out = try DDIMSampler().sample(start, plan: plan, model: ClosureNoisePredictor { _, _ in eps }, noise: &none) { predictions.append($0.denoised) }
        let a0 = plan.alphasCumprodPrevious.last!
        for k in 0..<3 {
            XCTAssertEqual(out.data[k], a0.squareRoot() * x0.data[k] + (1 - a0).squareRoot() * eps.data[k], accuracy: 1e-4)
            XCTAssertEqual(predictions[3].data[k], x0.data[k], accuracy: 1e-4)
        }
    }

    func testDDIMWithPositiveEtaDrawsNoiseEveryStep() throws {
        let plan = try DDIMTimesteps(steps: 5)
        var draws = 0
        struct CountingNoise: NoiseSampler {
            var count: (Int) -> Void
            mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
                count(1)
                return Tensor(shape: shape, repeating: 1)
            }
        }
        var noise = CountingNoise { draws += $0 }
        let x = Tensor(shape: [1, 1, 1, 2], data: [1, -1])
        let withEta = try DDIMSampler(eta: 1).sample(x, plan: plan, model: ClosureNoisePredictor { x, _ in x.scaled(0.1) }, noise: &noise, progress: nil)
        XCTAssertEqual(draws, 5)
        var none = NoNoise()
        let without = try DDIMSampler(eta: 0).sample(x, plan: plan, model: ClosureNoisePredictor { x, _ in x.scaled(0.1) }, noise: &none, progress: nil)
        XCTAssertNotEqual(withEta, without)
    }
}

private extension Tensor {
    func scaled(_ f: Float) -> Tensor { Tensor(shape: shape, data: data.map { $0 * f }) }
}
