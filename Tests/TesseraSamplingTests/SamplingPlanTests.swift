import TesseraSampling
import TesseraTensor
import XCTest

final class SamplingPlanTests: XCTestCase {
    /// A stand-in eps model: a fixed smooth function of its input, enough to make runs differ
    /// by seed and to check determinism.
    private let model = ClosureNoisePredictor { x, t in
        Tensor(shape: x.shape, data: x.data.map { 0.5 * $0 + t / 2000 })
    }
    private let latent = [4, 4, 4]

    func testRunsAreDeterministicInTheSeedsForEverySampler() throws {
        for kind in SamplerKind.allCases {
            let plan = SamplingPlan(selection: SamplerSelection(sampler: kind), steps: 4)
            let images = try SeedPlan.imageSeeds(seed: 5, count: 2)
            let a = try plan.run(model: model, images: images, latentShape: latent)
            let b = try plan.run(model: model, images: images, latentShape: latent)
            XCTAssertEqual(a, b, kind.label)
            XCTAssertTrue(a.data.allSatisfy(\.isFinite), kind.label)
            let other = try plan.run(model: model, images: try SeedPlan.imageSeeds(seed: 6, count: 2), latentShape: latent)
            XCTAssertNotEqual(a, other, kind.label)
        }
    }

    func testImg2ImgRunsTheSlicedStepCountAndNeedsAnInitLatent() throws {
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .dpmpp2M), steps: 10, denoisingStrength: 0.5)
        XCTAssertEqual(try plan.sigmas().count, 7)  // t_enc 5 → 6 steps
        let images = [ImageSeed(seed: 1)]
        var calls = 0
        _ = try plan.run(model: model, images: images, latentShape: latent,
                         initLatent: Tensor(shape: [1] + latent, repeating: 0.1)) { _ in calls += 1 }
        XCTAssertEqual(calls, 6)
        XCTAssertThrowsError(try plan.run(model: model, images: images, latentShape: latent)) { error in
            XCTAssertTrue(String(describing: error).contains("init latent"))
        }
    }

    func testENSDChangesEulerAncestralButNotEuler() throws {
        let images = [ImageSeed(seed: 9)]
        func run(_ kind: SamplerKind, ensd: Int64) throws -> Tensor {
            try SamplingPlan(selection: SamplerSelection(sampler: kind), steps: 4,
                             noiseSource: NoiseSource(rng: .nv, etaNoiseSeedDelta: ensd)).run(model: model, images: images, latentShape: latent)
        }
        XCTAssertNotEqual(try run(.eulerAncestral, ensd: 0), try run(.eulerAncestral, ensd: 31337))
        XCTAssertEqual(try run(.euler, ensd: 0), try run(.euler, ensd: 31337))
    }

    func testTxt2ImgStartsFromSeedNoiseScaledByTheFirstSigmaThroughACallerDenoiser() throws {
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .euler), steps: 5)
        let image = ImageSeed(seed: 21)
        var firstInput: Tensor?
        var firstSigma: Float = 0
        let denoiser = ClosureDenoiser { x, sigma in
            if firstInput == nil { firstInput = x; firstSigma = sigma }
            return Tensor(shape: x.shape, repeating: 0)
        }
        _ = try plan.run(denoiser: denoiser, images: [image], latentShape: latent)
        let noise = try NoiseSource().initialNoise(for: image, latentShape: latent)
        XCTAssertEqual(firstSigma, try plan.sigmas()[0])
        XCTAssertEqual(firstInput?.data, noise.data.map { $0 * firstSigma })
    }

    func testDDIMRefusesACallerDenoiserBecauseItNeedsAnEpsModel() {
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .ddim), steps: 5)
        XCTAssertThrowsError(try plan.run(denoiser: ClosureDenoiser { x, _ in x }, images: [ImageSeed(seed: 1)], latentShape: latent)) { error in
            XCTAssertTrue(String(describing: error).contains("eps model"), String(describing: error))
        }
    }
}
