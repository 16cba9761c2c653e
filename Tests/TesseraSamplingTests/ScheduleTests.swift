import Foundation
import TesseraSampling
import XCTest

final class ScheduleTests: XCTestCase {
    func testEveryScheduleHasStepsPlusOneDescendingSigmasEndingInZero() throws {
        for scheduler in SigmaScheduler.allCases {
            for steps in [1, 5, 11, 20] {
                let sigmas = try scheduler.sigmas(steps: steps)
                // A1111's DDIM schedule takes every ⌊1000/n⌋-th entry from index 1, which can
                // give more than n values (n = 11: 12 values), and Tessera keeps that quirk.
                let expected = scheduler == .ddim ? Array(stride(from: 1, to: 1000, by: 1000 / steps)).count + 1 : steps + 1
                XCTAssertEqual(sigmas.count, expected, "\(scheduler) \(steps)")
                for i in 1..<sigmas.count { XCTAssertLessThanOrEqual(sigmas[i], sigmas[i - 1], "\(scheduler) \(steps) index \(i)") }
                if scheduler != .klOptimal { XCTAssertEqual(sigmas.last, 0, "\(scheduler)") }
            }
        }
    }

    func testKarrasAndExponentialSpanTheModelsSigmaRange() throws {
        let schedule = DiscreteNoiseSchedule.stableDiffusion
        for scheduler in [SigmaScheduler.karras, .exponential, .polyexponential] {
            let sigmas = try scheduler.sigmas(steps: 10)
            XCTAssertEqual(sigmas[0], schedule.sigmaMax, accuracy: 1e-4)
            XCTAssertEqual(sigmas[9], schedule.sigmaMin, accuracy: 1e-5)
        }
    }

    func testAlignYourStepsUsesThePublishedTableAtElevenSteps() throws {
        let sigmas = try SigmaScheduler.alignYourSteps.sigmas(steps: 11)
        XCTAssertEqual(sigmas[0], 14.615, accuracy: 1e-4)
        XCTAssertEqual(sigmas[10], 0.029, accuracy: 1e-6)
    }

    func testSigmaAndTimestepConversionsRoundTrip() {
        let schedule = DiscreteNoiseSchedule.stableDiffusion
        for t: Float in [0, 1.5, 250.25, 998.9] {
            XCTAssertEqual(schedule.timestep(forSigma: schedule.sigma(forTimestep: t)), t, accuracy: 2e-3)
        }
    }

    func testKarrasRhoAndSigmaRangeOverridesApply() throws {
        let custom = try SigmaScheduler.karras.sigmas(steps: 10, sigmaMin: 0.1, sigmaMax: 10, rho: 3)
        XCTAssertEqual(custom[0], 10, accuracy: 1e-5)
        XCTAssertEqual(custom[9], 0.1, accuracy: 1e-6)
        // Midpoint of the ramp in sigma^(1/rho) space.
        let expected = Float(pow((pow(10, 1.0 / 3) + pow(0.1, 1.0 / 3)) / 2, 3))
        XCTAssertNotEqual(try SigmaScheduler.karras.sigmas(steps: 3, sigmaMin: 0.1, sigmaMax: 10)[1], expected)
        XCTAssertEqual(try SigmaScheduler.karras.sigmas(steps: 3, sigmaMin: 0.1, sigmaMax: 10, rho: 3)[1], expected, accuracy: 1e-5)
        XCTAssertEqual(try SigmaScheduler.karras.sigmas(steps: 5, rho: 0), try SigmaScheduler.karras.sigmas(steps: 5))
        XCTAssertThrowsError(try SigmaScheduler.karras.sigmas(steps: 5, sigmaMin: 2, sigmaMax: 1))
    }

    func testZeroStepsIsRejected() {
        XCTAssertThrowsError(try SigmaScheduler.karras.sigmas(steps: 0)) { error in
            XCTAssertTrue(String(describing: error).contains("steps"))
        }
    }

    func testDDIMTimestepsAreLeadingWithOffsetOne() throws {
        let plan = try DDIMTimesteps(steps: 4)
        XCTAssertEqual(plan.timesteps, [751, 501, 251, 1])
        XCTAssertEqual(plan.previousTimesteps, [501, 251, 1, -249])
        XCTAssertEqual(plan.alphasCumprodPrevious.last, DDIMTimesteps.diffusersAlphasCumprod[0])
    }
}
