import Foundation
import TesseraSampling
import TesseraTensor
import XCTest

/// Row `i` of a stacked reference tensor `[N, C, H, W]` as a `[1, C, H, W]` latent.
private func stackedRow(_ t: Tensor, _ i: Int) -> Tensor {
    let size = t.shape.dropFirst().reduce(1, *)
    return Tensor(shape: [1] + Array(t.shape.dropFirst()), data: Array(t.data[(i * size)..<((i + 1) * size)]))
}

/// One model call a replayed trajectory expects: the sigma (or timestep) it must be asked
/// for, optionally the latent it must be given, and the recorded output to return.
private struct ExpectedCall {
    let level: Float
    let input: Tensor?
    let output: Tensor
}

/// Replays recorded denoiser outputs in call order, checking that each call comes at the
/// recorded sigma/timestep (and with the expected latent where one is known).
private final class ReplayModel: Denoiser, NoisePredictor {
    private let calls: [ExpectedCall]
    private(set) var callCount = 0
    private let inputTolerance: Float

    init(_ calls: [ExpectedCall], inputTolerance: Float = 1e-5) {
        self.calls = calls
        self.inputTolerance = inputTolerance
    }

    func denoise(_ x: Tensor, sigma: Float) throws -> Tensor { try replay(x, level: sigma) }
    func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor { try replay(x, level: timestep) }

    private func replay(_ x: Tensor, level: Float) throws -> Tensor {
        guard callCount < calls.count else {
            XCTFail("model call \(callCount) beyond the \(calls.count) recorded")
            throw SamplingError.mismatch("too many model calls")
        }
        let call = calls[callCount]
        XCTAssertEqual(level, call.level, accuracy: max(abs(call.level) * 1e-5, 1e-6), "model call \(callCount): sigma/timestep")
        if let input = call.input {
            assertClose(x, input, tolerance: inputTolerance, "model call \(callCount): input latent")
        }
        callCount += 1
        return call.output
    }

    func assertAllCallsMade(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(callCount, calls.count, "number of model calls", file: file, line: line)
    }
}

/// Replays recorded noise draws in order, checking each has the requested shape.
private struct ReplayNoise: NoiseSampler {
    let draws: Tensor?
    private(set) var used = 0

    init(_ draws: Tensor?) { self.draws = draws }

    mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
        guard let draws, used < draws.shape[0] else {
            XCTFail("noise draw \(used) was not recorded")
            throw SamplingError.mismatch("too many noise draws")
        }
        let n = stackedRow(draws, used)
        XCTAssertEqual(n.shape, shape, "noise draw \(used): shape")
        used += 1
        return n
    }
}

/// Sampler trajectories against `cases/samplers/*`, with the model replaced by the recorded
/// CFG outputs (full UNet-driven parity needs the UNet and is added with it).
final class ParitySamplerTests: XCTestCase {
    private let trajectoryTolerance: Float = 1e-5

    /// Runs a one-call-per-step sampler on the case's recorded sigmas, denoised outputs and
    /// noises, checking every step against `x_steps`.
    private func replayFirstOrder<S: KDiffusionSampler>(_ name: String, _ sampler: S, expectNoises: Int) throws {
        let c = try ReferenceCase("samplers", name)
        let sigmas = try c.input("sigmas").data
        let denoised = try c.output("denoised")
        let xSteps = try c.output("x_steps")
        let calls = (0..<(sigmas.count - 1)).map { i in
            ExpectedCall(level: sigmas[i], input: stackedRow(xSteps, i), output: stackedRow(denoised, i))
        }
        let model = ReplayModel(calls)
        var noise = ReplayNoise(c.tensors.entries["output.noises"] == nil ? nil : try c.output("noises"))
        var seen = [Tensor]()
        let final = try sampler.sample(try c.input("x_init"), sigmas: sigmas, denoiser: model, noise: &noise) { step in
            seen.append(step.x)
        }
        model.assertAllCallsMade()
        XCTAssertEqual(noise.used, expectNoises, "noise draws")
        XCTAssertEqual(seen.count, sigmas.count - 1, "progress callbacks")
        for (i, x) in seen.enumerated() {
            assertClose(x, stackedRow(xSteps, i), tolerance: trajectoryTolerance, "\(name): x before step \(i)")
        }
        assertClose(final, stackedRow(xSteps, sigmas.count - 1), tolerance: trajectoryTolerance, "\(name): final x")
        assertClose(final, try c.output("x_final"), tolerance: trajectoryTolerance, "\(name): x_final")
    }

    func testEulerTrajectoryMatchesKDiffusion() throws {
        try replayFirstOrder("euler", EulerSampler(), expectNoises: 0)
    }

    func testEulerAncestralTrajectoryMatchesKDiffusionWithReplayedNoise() throws {
        try replayFirstOrder("euler_ancestral", EulerAncestralSampler(), expectNoises: 7)
    }

    func testDPMPP2MTrajectoryMatchesKDiffusion() throws {
        try replayFirstOrder("dpmpp_2m_karras", DPMPP2MSampler(), expectNoises: 0)
    }

    func testDPMPP2MSDETrajectoryMatchesKDiffusionWithReplayedNoise() throws {
        try replayFirstOrder("dpmpp_2m_sde_karras", DPMPP2MSDESampler(), expectNoises: 7)
    }

    func testRecordedSchedulesAreTheOnesOurSchedulersBuild() throws {
        for (name, scheduler) in [("euler", SigmaScheduler.uniform), ("euler_ancestral", .uniform), ("heun", .uniform),
                                  ("dpmpp_2m_karras", .karras), ("dpmpp_sde_karras", .karras), ("dpmpp_2m_sde_karras", .karras)] {
            let c = try ReferenceCase("samplers", name)
            let ours = try scheduler.sigmas(steps: 8)
            assertClose(Tensor(shape: [9], data: ours), try c.input("sigmas"), tolerance: 1e-6, "\(name) sigmas")
        }
    }

    /// Heun calls the model twice per step but the case records one denoised per step. The
    /// predictor is checked for real (its input latent x + d·dt is computed here from the
    /// recording); the corrector's output is back-solved from the recorded next state with
    /// k-diffusion's formula, so that part checks consistency with the formula, not the UNet.
    func testHeunTrajectoryMatchesKDiffusionWithBackSolvedCorrector() throws {
        let c = try ReferenceCase("samplers", "heun")
        let sigmas = try c.input("sigmas").data
        let denoised = try c.output("denoised")
        let xSteps = try c.output("x_steps")
        var calls = [ExpectedCall]()
        for i in 0..<(sigmas.count - 1) {
            let x = stackedRow(xSteps, i), d0 = stackedRow(denoised, i)
            calls.append(ExpectedCall(level: sigmas[i], input: x, output: d0))
            guard sigmas[i + 1] != 0 else { continue }
            let s = Double(sigmas[i]), sNext = Double(sigmas[i + 1]), dt = sNext - s
            let xNext = stackedRow(xSteps, i + 1)
            var x2 = x, d2Out = x
            for k in 0..<x.count {
                let d = (Double(x.data[k]) - Double(d0.data[k])) / s
                let xp = Double(x.data[k]) + d * dt
                let dPrime = (Double(xNext.data[k]) - Double(x.data[k])) / dt
                x2.data[k] = Float(xp)
                d2Out.data[k] = Float(xp - (2 * dPrime - d) * sNext)
            }
            calls.append(ExpectedCall(level: sigmas[i + 1], input: x2, output: d2Out))
        }
        let model = ReplayModel(calls)
        var noise = ReplayNoise(nil)
        var seen = [Tensor]()
        let final = try HeunSampler().sample(try c.input("x_init"), sigmas: sigmas, denoiser: model, noise: &noise) { seen.append($0.x) }
        model.assertAllCallsMade()
        XCTAssertEqual(calls.count, 15)
        for (i, x) in seen.enumerated() { assertClose(x, stackedRow(xSteps, i), tolerance: 1e-4, "heun x before step \(i)") }
        assertClose(final, try c.output("x_final"), tolerance: 1e-4, "heun x_final")
    }

    /// DPM++ SDE: two model calls and two noise draws per step, one denoised recorded per step.
    /// Stage 1 is checked for real (the midpoint call must come at √(σ_i·σ_{i+1}) with the
    /// latent computed here from the recorded denoised and noise); the midpoint's output is
    /// back-solved from the recorded next state (r = 1/2 makes the blend equal to it).
    func testDPMPPSDETrajectoryMatchesKDiffusionWithBackSolvedMidpoint() throws {
        let c = try ReferenceCase("samplers", "dpmpp_sde_karras")
        let sigmas = try c.input("sigmas").data
        let denoised = try c.output("denoised")
        let xSteps = try c.output("x_steps")
        let noises = try c.output("noises")
        var calls = [ExpectedCall]()
        var draw = 0
        func ancestral(_ from: Double, _ to: Double) -> (Double, Double) {
            let up = min(to, (to * to * (from * from - to * to) / (from * from)).squareRoot())
            return ((to * to - up * up).squareRoot(), up)
        }
        for i in 0..<(sigmas.count - 1) {
            let x = stackedRow(xSteps, i), d0 = stackedRow(denoised, i)
            calls.append(ExpectedCall(level: sigmas[i], input: x, output: d0))
            guard sigmas[i + 1] != 0 else { continue }
            let sigma = Double(sigmas[i]), sigmaNext = Double(sigmas[i + 1])
            let t = -log(sigma), tNext = -log(sigmaNext), sMid = t + (tNext - t) / 2
            let (down1, up1) = ancestral(sigma, exp(-sMid))
            let (down2, up2) = ancestral(sigma, sigmaNext)
            let n1 = stackedRow(noises, draw), n2 = stackedRow(noises, draw + 1)
            draw += 2
            let xNext = stackedRow(xSteps, i + 1)
            var x2 = x, d2 = x
            for k in 0..<x.count {
                let xi = Double(x.data[k])
                x2.data[k] = Float(down1 / sigma * xi - expm1(log(down1) - log(sigma)) * Double(d0.data[k]) + Double(n1.data[k]) * up1)
                // x_{i+1} = (down2/σ)·x − expm1(ln down2 − ln σ)·D2 + n2·up2, solved for D2.
                d2.data[k] = Float((down2 / sigma * xi + Double(n2.data[k]) * up2 - Double(xNext.data[k])) / expm1(log(down2) - log(sigma)))
            }
            calls.append(ExpectedCall(level: Float(exp(-sMid)), input: x2, output: d2))
        }
        let model = ReplayModel(calls, inputTolerance: 1e-4)
        var noise = ReplayNoise(noises)
        var seen = [Tensor]()
        let final = try DPMPPSDESampler().sample(try c.input("x_init"), sigmas: sigmas, denoiser: model, noise: &noise) { seen.append($0.x) }
        model.assertAllCallsMade()
        XCTAssertEqual(noise.used, 14)
        for (i, x) in seen.enumerated() { assertClose(x, stackedRow(xSteps, i), tolerance: 1e-4, "dpmpp_sde x before step \(i)") }
        assertClose(final, try c.output("x_final"), tolerance: 1e-4, "dpmpp_sde x_final")
    }

    func testImg2ImgSlicesTheKarrasScheduleAndNoisesTheInitLatentLikeA1111() throws {
        let c = try ReferenceCase("samplers", "img2img_dpmpp_2m_karras")
        let strength = try XCTUnwrap(c.parameters["strength"] as? Double)
        let steps = try XCTUnwrap(c.parameters["steps"] as? Int)
        let plan = try Img2ImgSteps(steps: steps, denoisingStrength: strength)
        XCTAssertEqual(plan.encodedSteps, c.parameters["t_enc"] as? Int)
        let full = try SigmaScheduler.karras.sigmas(steps: plan.scheduleSteps)
        assertClose(Tensor(shape: [full.count], data: full), try c.input("sigmas_full"), tolerance: 1e-6, "full schedule")
        let sliced = plan.slice(full)
        assertClose(Tensor(shape: [sliced.count], data: sliced), try c.input("sigmas"), tolerance: 1e-6, "sliced schedule")
        let xInit = try plan.startLatent(initLatent: try c.input("init_latent"), noise: try c.input("noise"), sigmas: sliced)
        assertClose(xInit, try c.input("x_init"), tolerance: 1e-6, "noised init latent")
        try replayFirstOrder("img2img_dpmpp_2m_karras", DPMPP2MSampler(), expectNoises: 0)
    }

    func testDDIMTrajectoryMatchesDiffusersWithReplayedEps() throws {
        let c = try ReferenceCase("samplers", "ddim")
        let steps = try XCTUnwrap(c.parameters["steps"] as? Int)
        let plan = try DDIMTimesteps(steps: steps)
        XCTAssertEqual(plan.timesteps.map(Int64.init), try c.tensors.integers("input.timesteps"))
        let eps = try c.output("eps_cfg")
        let xSteps = try c.output("x_steps")
        let calls = plan.timesteps.enumerated().map { i, t in ExpectedCall(level: Float(t), input: stackedRow(xSteps, i), output: stackedRow(eps, i)) }
        let model = ReplayModel(calls)
        var noise = NoNoise()
        var seen = [Tensor]()
        let final = try DDIMSampler(eta: 0).sample(try c.input("noise_init"), plan: plan, model: model, noise: &noise) { seen.append($0.x) }
        model.assertAllCallsMade()
        for (i, x) in seen.enumerated() { assertClose(x, stackedRow(xSteps, i), tolerance: trajectoryTolerance, "ddim x before step \(i)") }
        assertClose(final, try c.output("x_final"), tolerance: trajectoryTolerance, "ddim x_final")
    }

    /// The case draws its start noise as A1111's "RNG: CPU" does for seed 42 and its per-step
    /// noise from a torch generator seeded 4242 — exactly A1111's stream for seed 42 with
    /// ENSD 4200. So the whole txt2img wiring (seed noise, schedule, ENSD stream, Euler a) is
    /// checked end to end, with only the UNet replaced by the recorded outputs.
    func testEulerAncestralTxt2ImgPlanWithCPUNoiseAndENSDReproducesTheReference() throws {
        let c = try ReferenceCase("samplers", "euler_ancestral")
        let seed = try XCTUnwrap(c.parameters["seed"] as? Int), noiseSeed = try XCTUnwrap(c.parameters["noise_seed"] as? Int)
        let source = NoiseSource(rng: .cpu, etaNoiseSeedDelta: Int64(noiseSeed - seed))
        let image = ImageSeed(seed: Int64(seed))
        assertClose(try source.initialNoise(for: [image], latentShape: [4, 16, 16]), try c.input("noise_init"), tolerance: 1e-6, "seed noise")

        let plan = SamplingPlan(selection: try SamplerSelection(parsing: "Euler a"), steps: 8, noiseSource: source)
        let sigmas = try plan.sigmas()
        let denoised = try c.output("denoised")
        let xSteps = try c.output("x_steps")
        let model = ReplayModel((0..<8).map { ExpectedCall(level: sigmas[$0], input: stackedRow(xSteps, $0), output: stackedRow(denoised, $0)) })
        let final = try plan.run(denoiser: model, images: [image], latentShape: [4, 16, 16])
        model.assertAllCallsMade()
        assertClose(final, try c.output("x_final"), tolerance: trajectoryTolerance, "Euler a x_final")
    }

    /// "DPM++ 2M Karras" (legacy name → DPM++ 2M, Automatic = Karras) from CPU seed noise.
    func testDPMPP2MKarrasTxt2ImgPlanFromTheSeedReproducesTheReference() throws {
        let c = try ReferenceCase("samplers", "dpmpp_2m_karras")
        let seed = try XCTUnwrap(c.parameters["seed"] as? Int)
        let plan = SamplingPlan(selection: try SamplerSelection(parsing: "DPM++ 2M Karras"), steps: 8, noiseSource: NoiseSource(rng: .cpu))
        XCTAssertEqual(plan.selection.effectiveScheduler, .karras)
        let sigmas = try plan.sigmas()
        let denoised = try c.output("denoised")
        let xSteps = try c.output("x_steps")
        let model = ReplayModel((0..<8).map { ExpectedCall(level: sigmas[$0], input: stackedRow(xSteps, $0), output: stackedRow(denoised, $0)) })
        let final = try plan.run(denoiser: model, images: [ImageSeed(seed: Int64(seed))], latentShape: [4, 16, 16])
        model.assertAllCallsMade()
        assertClose(final, try c.output("x_final"), tolerance: trajectoryTolerance, "DPM++ 2M x_final")
    }
}
