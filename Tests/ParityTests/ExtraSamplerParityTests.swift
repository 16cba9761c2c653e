import Foundation
import TesseraCheckpoint
import TesseraSampling
import TesseraTensor
import XCTest

/// Records the sigma of every model call and answers with the toy denoiser.
final class RecordingToyDenoiser: Denoiser {
    private(set) var sigmas = [Float]()

    func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        sigmas.append(sigma)
        return try ToyDenoiser().denoise(x, sigma: sigma)
    }
}

/// "Restart" (A1111's own `restart_sampler`), "DPM fast" and "DPM adaptive" (k-diffusion)
/// against runs recorded by `Tests/Fixtures/sampling-extra/make_extra_sampler_fixtures.py`,
/// with A1111's per-image noise streams ("RNG: CPU") and the toy denoiser. Everything goes
/// through `SamplingPlan`, so names, Automatic schedulers, σ ranges, img2img slicing and the
/// noise wiring are checked together.
final class ParityExtraSamplerTests: XCTestCase {
    private let labels = ["restart": "Restart", "dpm_fast": "DPM fast", "dpm_adaptive": "DPM adaptive"]

    func testRestartDPMFastAndDPMAdaptiveReproduceTheRecordedRuns() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sampling-extra")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("extra_samplers.json"))) as? [String: Any])
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        let file = try SafeTensorsFile(path: root.appendingPathComponent("extra_samplers.safetensors").path)
        XCTAssertEqual(cases.count, 10)
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let kind = try XCTUnwrap(c["sampler"] as? String)
            let eta = (c["eta"] as? Double).map(Float.init)
            let plan = SamplingPlan(selection: try SamplerSelection(parsing: try XCTUnwrap(labels[kind])),
                                    steps: try XCTUnwrap(c["steps"] as? Int),
                                    denoisingStrength: c["denoising_strength"] as? Double,
                                    noiseSource: NoiseSource(rng: .cpu), eta: eta)
            let images = try XCTUnwrap(c["seeds"] as? [Int]).map { ImageSeed(seed: Int64($0)) }
            let shape = try XCTUnwrap(c["latent_shape"] as? [Int])
            let initLatent = file.entries["\(name).init_latent"] == nil ? nil : try file.tensor("\(name).init_latent")
            let model = RecordingToyDenoiser()
            let final = try plan.run(denoiser: model, images: images, latentShape: shape, initLatent: initLatent)
            let recorded = try file.tensor("\(name).model_sigmas").data
            XCTAssertEqual(model.sigmas.count, recorded.count, "\(name): model calls")
            for (i, (ours, theirs)) in zip(model.sigmas, recorded).enumerated() {
                XCTAssertEqual(ours, theirs, accuracy: max(theirs * 1e-5, 1e-7), "\(name): sigma of model call \(i)")
            }
            assertClose(final, try file.tensor("\(name).x_final"), tolerance: 1e-5, "\(name): x_final")
        }
    }

    func testRestartInsertsA1111sRestartSegmentsFrom20Steps() throws {
        XCTAssertEqual(try RestartSampler.stepList(for: try SigmaScheduler.karras.sigmas(steps: 10)).count, 10)
        // 24 steps: Karras of 24 − 9 = 15 steps plus one restart of 9 steps.
        XCTAssertEqual(try RestartSampler.stepList(for: try SigmaScheduler.karras.sigmas(steps: 24)).count, 24)
        // 40 steps: 40 − 2·10 = 20 steps plus two restarts of 10 steps.
        let pairs = try RestartSampler.stepList(for: try SigmaScheduler.karras.sigmas(steps: 40))
        XCTAssertEqual(pairs.count, 40)
        XCTAssertEqual(pairs.filter { $0.0 < $0.1 }.count, 0, "steps always go down")
        let jumps = zip(pairs, pairs.dropFirst()).filter { $0.0.1 < $0.1.0 }
        XCTAssertEqual(jumps.count, 2, "two restarts jump back up")
        for jump in jumps { XCTAssertEqual(jump.1.0, 2, accuracy: 0.4) }
    }
}
