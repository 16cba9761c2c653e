import TesseraSampling
import TesseraTensor
import XCTest

/// Behaviour every sampler must show with an ideal model that always predicts the same x0.
final class SamplerBehaviourTests: XCTestCase {
    private let target = Tensor(shape: [1, 2, 2, 2], data: [0.5, -0.25, 1, 0, -1, 0.75, 0.1, 0.2])
    private let start = Tensor(shape: [1, 2, 2, 2], data: [3, -2, 1, 5, -4, 2, 0.5, -1])

    /// DPM fast / DPM adaptive take only the schedule's ends (they stop at σ_min and choose
    /// their own steps); they have their own tests below.
    private let rangeSolvers: Set<SamplerKind> = [.dpmFast, .dpmAdaptive]

    /// Every sampler that walks the given schedule down to 0.
    private var allSamplers: [(String, any KDiffusionSampler)] {
        SamplerKind.allCases.filter { !rangeSolvers.contains($0) }.compactMap { kind in kind.kDiffusionSampler().map { (kind.label, $0) } }
    }

    func testEverySamplerLandsOnThePredictedCleanLatentWhenTheModelIsExact() throws {
        let sigmas = try SigmaScheduler.karras.sigmas(steps: 10)
        for (name, sampler) in allSamplers {
            let denoiser = ClosureDenoiser { _, _ in self.target }
            var noise = try BrownianTreeNoise(seeds: [1], imageShape: [2, 2, 2], schedule: sigmas)
            let x = start.data.map { $0 * sigmas[0] }
            let out = try sampler.sample(Tensor(shape: start.shape, data: x), sigmas: sigmas, denoiser: denoiser, noise: &noise, progress: nil)
            for (a, b) in zip(out.data, target.data) { XCTAssertEqual(a, b, accuracy: 1e-4, name) }
        }
    }

    func testProgressIsReportedOncePerStepWithThePreStepLatent() throws {
        let sigmas = try SigmaScheduler.uniform.sigmas(steps: 6)
        for (name, sampler) in allSamplers {
            var steps = [SamplerStep]()
            var noise = try BrownianTreeNoise(seeds: [1], imageShape: [2, 2, 2], schedule: sigmas)
            _ = try sampler.sample(start, sigmas: sigmas, denoiser: ClosureDenoiser { _, _ in self.target }, noise: &noise) { steps.append($0) }
            XCTAssertEqual(steps.map(\.index), Array(0..<6), name)
            XCTAssertEqual(steps.map(\.sigma), Array(sigmas.dropLast()), name)
            XCTAssertEqual(steps.first?.x, start, name)
        }
    }

    func testSecondOrderSamplersCallTheModelTwicePerStepExceptTheLast() throws {
        let sigmas = try SigmaScheduler.karras.sigmas(steps: 5)
        for kind in SamplerKind.allCases where !rangeSolvers.contains(kind) {
            guard let sampler = kind.kDiffusionSampler() else { continue }
            var calls = 0
            var noise = try BrownianTreeNoise(seeds: [1], imageShape: [2, 2, 2], schedule: sigmas)
            _ = try sampler.sample(start, sigmas: sigmas, denoiser: ClosureDenoiser { _, _ in calls += 1; return self.target }, noise: &noise, progress: nil)
            XCTAssertEqual(calls, kind.modelCallsPerStep == 2 ? 9 : 5, kind.label)
        }
    }

    func testDeterministicSamplersNeverAskForNoiseAndStochasticOnesFailWithoutIt() throws {
        let sigmas = try SigmaScheduler.karras.sigmas(steps: 4)
        for kind in [SamplerKind.euler, .heun, .dpmpp2M] {
            var none = NoNoise()
            XCTAssertNoThrow(try kind.kDiffusionSampler()!.sample(start, sigmas: sigmas, denoiser: ClosureDenoiser { _, _ in self.target }, noise: &none, progress: nil))
        }
        var none = NoNoise()
        XCTAssertThrowsError(try EulerAncestralSampler().sample(start, sigmas: sigmas, denoiser: ClosureDenoiser { _, _ in self.target }, noise: &none, progress: nil))
    }

    func testADenoiserReturningTheWrongShapeIsReportedNotCrashed() {
        var none = NoNoise()
        XCTAssertThrowsError(try EulerSampler().sample(start, sigmas: [1, 0], denoiser: ClosureDenoiser { _, _ in Tensor(shape: [1], data: [0]) }, noise: &none, progress: nil)) { error in
            XCTAssertTrue(String(describing: error).contains("shape"))
        }
        XCTAssertThrowsError(try EulerSampler().sample(start, sigmas: [1], denoiser: ClosureDenoiser { x, _ in x }, noise: &none, progress: nil))
    }

    func testThrowingFromProgressStopsSamplingBeforeTheNextModelCall() throws {
        struct Cancelled: Error {}
        let sigmas = try SigmaScheduler.karras.sigmas(steps: 8)
        for (name, sampler) in allSamplers {
            var calls = 0
            var noise = try BrownianTreeNoise(seeds: [1], imageShape: [2, 2, 2], schedule: sigmas)
            XCTAssertThrowsError(try sampler.sample(start, sigmas: sigmas, denoiser: ClosureDenoiser { _, _ in calls += 1; return self.target },
                                                    noise: &noise) { step in if step.index == 2 { throw Cancelled() } }, name) { error in
                XCTAssertTrue(error is Cancelled, name)
            }
            XCTAssertLessThanOrEqual(calls, 6, name)
        }
    }

    func testEulerStepFollowsTheProbabilityFlowDerivative() throws {
        var none = NoNoise()
        let x = Tensor(shape: [1, 1, 1, 1], data: [10])
        // d = (10 - 2)/4 = 2; x' = 10 + 2 * (1 - 4) = 4
        let out = try EulerSampler().sample(x, sigmas: [4, 1], denoiser: ClosureDenoiser { _, _ in Tensor(shape: [1, 1, 1, 1], data: [2]) }, noise: &none, progress: nil)
        XCTAssertEqual(out.data, [4])
    }

    func testDPMFastMakesExactlyNModelCallsAndEndsAtSigmaMinWithoutNoise() throws {
        let sigmas = try SigmaScheduler.uniform.sigmas(steps: 10)
        var calls = 0
        var none = ImageStreamNoise(streams: [NoiseGenerator(source: .cpu, seed: 1)])
        let out = try DPMFastSampler(eta: 0).sample(start.scaledForTest(by: sigmas[0]), sigmas: sigmas,
                                                    denoiser: ClosureDenoiser { _, _ in calls += 1; return self.target },
                                                    noise: &none, progress: nil)
        XCTAssertEqual(calls, 10)
        XCTAssertEqual(DPMFastSampler.orders(modelCalls: 10), [3, 3, 3, 1])
        XCTAssertEqual(DPMFastSampler.orders(modelCalls: 9), [3, 3, 2, 1])
        assertOnExactODESolution(out, sigmas: sigmas)
    }

    /// With a constant x0 the probability-flow ODE solution at σ_min is
    /// x0 + (σ_min/σ_max)·(x_T − x0), and DPM-Solver steps are exact for it.
    private func assertOnExactODESolution(_ out: Tensor, sigmas: [Float], file: StaticString = #filePath, line: UInt = #line) {
        let sigmaMax = sigmas[0], sigmaMin = sigmas[sigmas.count - 2]
        for i in 0..<out.count {
            let xT = start.data[i] * sigmaMax, x0 = target.data[i]
            XCTAssertEqual(out.data[i], x0 + sigmaMin / sigmaMax * (xT - x0), accuracy: 1e-4, file: file, line: line)
        }
    }

    func testDPMAdaptiveWithoutNoiseIsDeterministicAndStopsAtSigmaMin() throws {
        let sigmas = try SigmaScheduler.uniform.sigmas(steps: 10)
        func run() throws -> (Tensor, [Float]) {
            var reported = [Float]()
            var noise = ImageStreamNoise(streams: [NoiseGenerator(source: .cpu, seed: 1)])
            let x = try DPMAdaptiveSampler(eta: 0).sample(start.scaledForTest(by: sigmas[0]), sigmas: sigmas,
                                                          denoiser: ClosureDenoiser { _, _ in self.target }, noise: &noise) {
                reported.append($0.sigma)
                XCTAssertLessThan($0.index, $0.count, "progress never passes 100%")
            }
            return (x, reported)
        }
        let (a, sigmasSeen) = try run()
        XCTAssertEqual(try run().0, a)
        XCTAssertEqual(sigmasSeen.first, sigmas[0])
        XCTAssertGreaterThan(sigmasSeen.last!, sigmas[sigmas.count - 2] * 0.99)
        assertOnExactODESolution(a, sigmas: sigmas)
    }
}

private extension Tensor {
    func scaledForTest(by factor: Float) -> Tensor { Tensor(shape: shape, data: data.map { $0 * factor }) }
}
