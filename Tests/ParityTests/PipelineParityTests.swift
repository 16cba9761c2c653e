import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraSampling
import TesseraTensor
import XCTest

/// Whole sampler trajectories with the real tiny UNet in the loop (UNet → CFG → CompVisDenoiser →
/// sampler), against k-diffusion's recordings in `cases/samplers/*`. Errors compound over the
/// 8 UNet calls, so the README's trajectory tolerance (rel ≤ 1e-3) applies.
final class ParityPipelineTrajectoryTests: XCTestCase {
    private static func unet() throws -> UNet {
        let weights = try SafeTensorsFile(path: ReferenceCase.path("models/unet/diffusion_pytorch_model.safetensors"))
        let config = try ConfigFile(path: ReferenceCase.path("models/unet/config.json"))
        return try UNet(source: weights, configuration: UNetConfiguration.infer(from: weights, config: config))
    }

    /// Replays the recorded ancestral/SDE noise draws in order.
    private struct RecordedNoise: NoiseSampler {
        let draws: Tensor?
        var used = 0
        mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
            guard let draws, used < draws.shape[0] else { throw SamplingError.mismatch("noise draw \(used) was not recorded") }
            defer { used += 1 }
            return Tensor(shape: shape, data: draws.slice(used).data)
        }
    }

    private func assertTrajectory(_ name: String, sampler: any KDiffusionSampler, file: StaticString = #filePath, line: UInt = #line) throws {
        let c = try ReferenceCase("samplers", name)
        let unet = try Self.unet()
        let context = Tensor.stack([try c.input("cond"), try c.input("uncond")]).reshaped([2, 77, 12])
        let scale = Float((c.parameters["cfg_scale"] as? Double) ?? 7)
        var unetCalls = 0
        let guided = GuidedNoisePredictor(scale: scale) { batch, t in
            unetCalls += 1
            return try unet(batch, timesteps: [t, t], context: context)
        }
        let expected = try c.output("x_steps")
        var steps = 0
        var noise = RecordedNoise(draws: c.tensors.entries["output.noises"] == nil ? nil : try c.output("noises"))
        let sigmas = try c.input("sigmas").data
        let final = try sampler.sample(try c.input("x_init"), sigmas: sigmas, denoiser: CompVisDenoiser(model: guided),
                                       noise: &noise) { step in
            let want = Tensor(shape: step.x.shape, data: expected.slice(step.index).data)
            assertClose(step.x, want, tolerance: 1e-3, "\(name) x_steps[\(step.index)]", file: file, line: line)
            steps += 1
        }
        XCTAssertEqual(steps, sigmas.count - 1, "\(name): steps reported", file: file, line: line)
        XCTAssertGreaterThanOrEqual(unetCalls, steps, file: file, line: line)
        assertClose(final, try c.output("x_final"), tolerance: 1e-3, "\(name) x_final", file: file, line: line)
    }

    func testEulerWithTheRealUNetFollowsKDiffusionsTrajectory() throws {
        try assertTrajectory("euler", sampler: EulerSampler())
    }

    func testEulerAncestralWithTheRealUNetFollowsKDiffusionsTrajectory() throws {
        try assertTrajectory("euler_ancestral", sampler: EulerAncestralSampler())
    }

    func testDPMPP2MKarrasWithTheRealUNetFollowsKDiffusionsTrajectory() throws {
        try assertTrajectory("dpmpp_2m_karras", sampler: DPMPP2MSampler())
    }

    func testHeunWithTheRealUNetFollowsKDiffusionsTrajectory() throws {
        try assertTrajectory("heun", sampler: HeunSampler())
    }

    func testDPMPP2MSDEKarrasWithTheRealUNetAndReplayedNoiseFollowsKDiffusionsTrajectory() throws {
        try assertTrajectory("dpmpp_2m_sde_karras", sampler: DPMPP2MSDESampler())
    }

    func testImg2ImgStartsFromA1111sSlicedScheduleAndFollowsTheTrajectoryWithTheRealUNet() throws {
        let c = try ReferenceCase("samplers", "img2img_dpmpp_2m_karras")
        let steps = try Img2ImgSteps(steps: 8, denoisingStrength: 0.5)
        XCTAssertEqual(steps.slice(try c.input("sigmas_full").data), try c.input("sigmas").data)
        let start = try steps.startLatent(initLatent: try c.input("init_latent"), noise: try c.input("noise"), sigmas: try c.input("sigmas").data)
        assertClose(start, try c.input("x_init"), tolerance: 1e-6, "img2img start latent")
        try assertTrajectory("img2img_dpmpp_2m_karras", sampler: DPMPP2MSampler())
    }
}
