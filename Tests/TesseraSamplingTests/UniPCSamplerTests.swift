import Foundation
import TesseraSampling
import TesseraTensor
import XCTest

final class UniPCSamplerTests: XCTestCase {
    private let target = Tensor(shape: [1, 2, 2, 2], data: [0.5, -0.25, 1, 0, -1, 0.75, 0.1, 0.2])
    private let start = Tensor(shape: [1, 2, 2, 2], data: [1.2, -0.3, 0.4, 2.0, -1.1, 0.6, 0.05, -0.7])

    /// An eps model whose x0 estimate is always `target`: eps = (x − √ᾱ·x0)/√(1−ᾱ) at the
    /// (fractional) timestep, with ᾱ interpolated as UniPC's VP schedule does.
    private final class CallCounter { var count = 0 }

    private func exactModel(calls: CallCounter? = nil) throws -> ClosureNoisePredictor {
        let vp = try VPNoiseSchedule(.stableDiffusion)
        let target = self.target
        return ClosureNoisePredictor { x, timestep in
            calls?.count += 1
            let t = timestep / 1000 + Float(0.001)
            let alpha = vp.alpha(t), sigma = vp.std(t)
            return Tensor(shape: x.shape, data: zip(x.data, target.data).map { ($0 - alpha * $1) / sigma })
        }
    }

    func testUniPCParsesByItsA1111NameAndAliasAndIsATimestepSampler() throws {
        XCTAssertEqual(try SamplerKind(parsing: "UniPC"), .uniPC)
        XCTAssertEqual(try SamplerKind(parsing: "unipc"), .uniPC)
        XCTAssertTrue(SamplerKind.uniPC.isTimestepSampler)
        XCTAssertNil(SamplerKind.uniPC.kDiffusionSampler())
    }

    func testA1111DefaultOptionsAreBh1TimeUniformOrder3WithLowerOrderFinal() {
        let options = UniPCSampler()
        XCTAssertEqual(options.variant, .bh1)
        XCTAssertEqual(options.skipType, .timeUniform)
        XCTAssertEqual(options.order, 3)
        XCTAssertTrue(options.lowerOrderFinal)
    }

    func testARunMakesOneModelCallPerStepAndReportsEveryStep() throws {
        let calls = CallCounter()
        var reported = [Int]()
        let model = try exactModel(calls: calls)
        _ = try UniPCSampler().sample(start, steps: 9, schedule: .stableDiffusion, model: model) { reported.append($0.index) }
        XCTAssertEqual(calls.count, 9)
        XCTAssertEqual(reported, Array(0..<9))
    }

    func testWithAnExactModelTheX0EstimateOfEveryStepIsTheTarget() throws {
        for variant in UniPCSampler.Variant.allCases {
            var estimates = [Tensor]()
            _ = try UniPCSampler(variant: variant).sample(start, steps: 6, schedule: .stableDiffusion, model: try exactModel()) {
                estimates.append($0.denoised)
            }
            for estimate in estimates {
                for (a, b) in zip(estimate.data, target.data) { XCTAssertEqual(a, b, accuracy: 1e-4, variant.rawValue) }
            }
        }
    }

    func testTimeGridsRunFromTheStartTimeToOneOverN() throws {
        let vp = try VPNoiseSchedule(.stableDiffusion)
        for skip in UniPCSampler.SkipType.allCases {
            let ts = UniPCSampler(skipType: skip).times(steps: 5, tStart: 1, schedule: vp)
            XCTAssertEqual(ts.count, 6, skip.rawValue)
            XCTAssertEqual(ts.first!, 1, accuracy: 1e-5, skip.rawValue)
            XCTAssertEqual(ts.last!, 0.001, accuracy: 1e-5, skip.rawValue)
            XCTAssertEqual(ts, ts.sorted(by: >), skip.rawValue)
        }
    }

    func testFewerStepsThanTheOrderIsAnErrorNamingTheOrder() throws {
        XCTAssertThrowsError(try UniPCSampler().sample(start, steps: 2, schedule: .stableDiffusion, model: try exactModel())) {
            XCTAssertTrue("\($0)".contains("UniPC order"), "\($0)")
        }
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .uniPC), steps: 10, denoisingStrength: 0.15)
        XCTAssertThrowsError(try plan.run(model: try exactModel(), images: [ImageSeed(seed: 1)], latentShape: [2, 2, 2],
                                          initLatent: target)) {
            XCTAssertTrue("\($0)".contains("UniPC"), "\($0)")
        }
    }

    func testVPScheduleMatchesTheDiscreteTableAtTrainingSteps() throws {
        let schedule = DiscreteNoiseSchedule.stableDiffusion
        let vp = try VPNoiseSchedule(schedule)
        for n in [0, 10, 500, 999] {
            let t = Float(n + 1) / 1000
            XCTAssertEqual(vp.alpha(t), schedule.alphasCumprod[n].squareRoot(), accuracy: 1e-5)
            XCTAssertEqual(vp.time(forLambda: vp.lambda(t)), t, accuracy: 1e-4)
        }
    }
}
