import TesseraSampling
import TesseraTensor
import XCTest

final class Img2ImgStepsTests: XCTestCase {
    func testStrengthMapsToTruncatedEncodedStepsAndOneMoreStepRun() throws {
        let plan = try Img2ImgSteps(steps: 20, denoisingStrength: 0.75)
        XCTAssertEqual(plan.scheduleSteps, 20)
        XCTAssertEqual(plan.encodedSteps, 15)
        XCTAssertEqual(plan.stepsRun, 16)
        let sigmas = try SigmaScheduler.karras.sigmas(steps: plan.scheduleSteps)
        let sliced = plan.slice(sigmas)
        XCTAssertEqual(sliced.count, 17)
        XCTAssertEqual(sliced.first, sigmas[4])
        XCTAssertEqual(sliced.last, 0)
    }

    func testStrengthOneIsCappedAt0999() throws {
        let plan = try Img2ImgSteps(steps: 20, denoisingStrength: 1)
        XCTAssertEqual(plan.encodedSteps, 19)  // int(0.999 * 20)
        XCTAssertEqual(plan.stepsRun, 20)
        XCTAssertEqual(plan.slice([Float](repeating: 1, count: 21)).count, 21)
    }

    func testFixStepsBuildsALongerScheduleAndRunsExactlyTheRequestedSteps() throws {
        let plan = try Img2ImgSteps(steps: 20, denoisingStrength: 0.75, fixSteps: true)
        XCTAssertEqual(plan.scheduleSteps, 26)
        XCTAssertEqual(plan.encodedSteps, 19)
        XCTAssertEqual(plan.stepsRun, 20)
        let sliced = plan.slice(try SigmaScheduler.uniform.sigmas(steps: 26))
        XCTAssertEqual(sliced.count - 1, 20)
    }

    func testInvalidStrengthAndZeroStrengthWithFixStepsAreRejectedNamingTheField() {
        XCTAssertThrowsError(try Img2ImgSteps(steps: 20, denoisingStrength: 1.5)) { error in
            XCTAssertTrue(String(describing: error).contains("denoising_strength"))
        }
        XCTAssertThrowsError(try Img2ImgSteps(steps: 20, denoisingStrength: 0, fixSteps: true))
        XCTAssertThrowsError(try Img2ImgSteps(steps: 0, denoisingStrength: 0.5)) { error in
            XCTAssertTrue(String(describing: error).contains("steps"))
        }
    }

    func testStartLatentIsInitPlusNoiseTimesFirstSigmaPlusExtraNoise() throws {
        let plan = try Img2ImgSteps(steps: 10, denoisingStrength: 0.5)
        let initLatent = Tensor(shape: [1, 1, 1, 2], data: [1, 2])
        let noise = Tensor(shape: [1, 1, 1, 2], data: [0.5, -1])
        let x = try plan.startLatent(initLatent: initLatent, noise: noise, sigmas: [4, 2, 0])
        XCTAssertEqual(x.data, [3, -2])
        let extra = try plan.startLatent(initLatent: initLatent, noise: noise, sigmas: [4, 2, 0], extraNoise: 0.5)
        XCTAssertEqual(extra.data, [3.25, -2.5])
        XCTAssertThrowsError(try plan.startLatent(initLatent: initLatent, noise: Tensor(shape: [1, 1, 2, 1], data: [0, 0]), sigmas: [1, 0]))
    }
}
