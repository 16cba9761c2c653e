import Foundation
import TesseraCheckpoint
import TesseraSampling
import TesseraTensor
import XCTest

/// The eps stand-in the UniPC fixtures were recorded with (torch float32 order):
/// `0.3·x + (t·0.001)·x² / (x² + 1)`; it also records the timesteps it is called at.
final class ToyEpsModel: NoisePredictor {
    private(set) var timesteps = [Float]()

    func predictNoise(_ x: Tensor, timestep: Float) throws -> Tensor {
        timesteps.append(timestep)
        let s = timestep * Float(0.001)
        return Tensor(shape: x.shape, data: x.data.map { v in Float(0.3) * v + s * (v * v) / (v * v + 1) })
    }
}

/// A1111's "UniPC" against A1111's own vendored `uni_pc.py` (v1.10.1), recorded by
/// `Tests/Fixtures/sampling-unipc/make_unipc_fixtures.py` with a toy eps model. Runs are
/// float32 on both sides; the coefficient solves differ from LAPACK's in the last bits, so
/// final latents are compared at rel ≤ 2e-6 (seen: ≤ 6e-7) and model timesteps to 1e-3 (of ~1000).
final class ParityUniPCTests: XCTestCase {
    private let tolerance: Float = 2e-6

    private struct Case {
        let name: String
        let steps: Int
        let samplerSteps: Int
        let options: UniPCSampler
        let strength: Double?
        let modelCalls: Int
        let noiseSeed: Int64
    }

    private func cases() throws -> [Case] {
        let meta = try XCTUnwrap(try json()["cases"] as? [[String: Any]])
        return try meta.map { c in
            Case(name: try XCTUnwrap(c["name"] as? String), steps: try XCTUnwrap(c["steps"] as? Int),
                 samplerSteps: try XCTUnwrap(c["sampler_steps"] as? Int),
                 options: UniPCSampler(variant: try XCTUnwrap(UniPCSampler.Variant(rawValue: try XCTUnwrap(c["variant"] as? String))),
                                       skipType: try XCTUnwrap(UniPCSampler.SkipType(rawValue: try XCTUnwrap(c["skip_type"] as? String))),
                                       order: try XCTUnwrap(c["order"] as? Int),
                                       lowerOrderFinal: try XCTUnwrap(c["lower_order_final"] as? Bool)),
                 strength: c["denoising_strength"] as? Double, modelCalls: try XCTUnwrap(c["model_calls"] as? Int),
                 noiseSeed: Int64(try XCTUnwrap(c["seed_noise"] as? Int)))
        }
    }

    private func json() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sampling-unipc/unipc.json")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func tensors() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sampling-unipc/unipc.safetensors").path)
    }

    func testUniPCVariantsSkipTypesAndOrdersMatchA1111sUniPC() throws {
        let file = try tensors()
        let all = try cases()
        XCTAssertEqual(all.count, 8)
        for c in all {
            let model = ToyEpsModel()
            let tStart: Float? = c.strength == nil ? nil : try startTime(c)
            let final = try c.options.sample(try file.tensor("\(c.name).x_init"), steps: c.samplerSteps, tStart: tStart,
                                             schedule: .stableDiffusion, model: model)
            let recorded = try file.tensor("\(c.name).model_times").data
            XCTAssertEqual(model.timesteps.count, c.modelCalls, "\(c.name): model calls")
            for (ours, theirs) in zip(model.timesteps, recorded) {
                XCTAssertEqual(ours, theirs, accuracy: 1e-3, "\(c.name): model timestep")
            }
            assertClose(final, try file.tensor("\(c.name).x_final"), tolerance: tolerance, "\(c.name): x_final")
        }
    }

    /// The whole A1111 flow through `SamplingPlan`: "UniPC" by name, A1111's timestep grid
    /// (7 steps run 8 because 1000 // 7 leaves a grid of 8), "RNG: CPU" seed noise, and for
    /// img2img the init latent noised to ᾱ(grid[t_enc]) and the start time from grid[t_enc − 1].
    func testSamplingPlanRunsUniPCLikeA1111FromTheSeed() throws {
        let file = try tensors()
        for c in try cases() {
            var plan = SamplingPlan(selection: try SamplerSelection(parsing: "UniPC"), steps: c.steps,
                                    denoisingStrength: c.strength, noiseSource: NoiseSource(rng: .cpu))
            plan.uniPC = c.options
            let model = ToyEpsModel()
            let initLatent = c.strength == nil ? nil : try file.tensor("\(c.name).init_latent")
            let final = try plan.run(model: model, images: [ImageSeed(seed: c.noiseSeed)], latentShape: [4, 8, 8], initLatent: initLatent)
            XCTAssertEqual(model.timesteps.count, c.modelCalls, "\(c.name): model calls")
            assertClose(final, try file.tensor("\(c.name).x_final"), tolerance: tolerance, "\(c.name): plan x_final")
        }
    }

    /// A1111: `timesteps[:t_enc][-1] / 1000 + 1 / 1000` in float32.
    private func startTime(_ c: Case) throws -> Float {
        let strength = try XCTUnwrap(c.strength)
        let img2img = try Img2ImgSteps(steps: c.steps, denoisingStrength: strength)
        let grid = try DDIMTimesteps.a1111Grid(steps: img2img.scheduleSteps)
        return Float(grid[img2img.encodedSteps - 1]) / 1000 + Float(0.001)
    }
}
