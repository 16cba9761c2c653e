import Foundation
import TesseraCheckpoint
import TesseraSampling
import TesseraTensor
import XCTest

/// A1111's "LCM" (its own `LCMCompVisDenoiser` + `sample_lcm`) against runs recorded by
/// `Tests/Fixtures/sampling-lcm/make_lcm_fixtures.py`, through `SamplingPlan` with the toy eps
/// model and "RNG: CPU" image streams.
final class ParityLCMTests: XCTestCase {
    func testLCMRunsMatchA1111sLCMSamplerFromTheSeed() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sampling-lcm")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("lcm.json"))) as? [String: Any])
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        let file = try SafeTensorsFile(path: root.appendingPathComponent("lcm.safetensors").path)
        XCTAssertEqual(cases.count, 4)

        let table = try LCMSchedule().table.sigmas
        assertClose(Tensor(shape: [table.count], data: table), try file.tensor("lcm_table_sigmas"), tolerance: 1e-6, "LCM sigma table")

        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let scheduler = try XCTUnwrap(c["scheduler"] as? String)
            let plan = SamplingPlan(selection: try SamplerSelection(parsing: "LCM", scheduler: scheduler),
                                    steps: try XCTUnwrap(c["steps"] as? Int),
                                    denoisingStrength: c["denoising_strength"] as? Double, noiseSource: NoiseSource(rng: .cpu))
            let sigmas = try plan.sigmas()
            assertClose(Tensor(shape: [sigmas.count], data: sigmas), try file.tensor("\(name).sigmas"), tolerance: 1e-6, "\(name): sigmas")
            let images = try XCTUnwrap(c["seeds"] as? [Int]).map { ImageSeed(seed: Int64($0)) }
            let initLatent = file.entries["\(name).init_latent"] == nil ? nil : try file.tensor("\(name).init_latent")
            let model = ToyEpsModel()
            let final = try plan.run(model: model, images: images, latentShape: try XCTUnwrap(c["latent_shape"] as? [Int]),
                                     initLatent: initLatent)
            XCTAssertEqual(model.timesteps, try file.tensor("\(name).model_timesteps").data, "\(name): integer LCM timesteps")
            assertClose(final, try file.tensor("\(name).x_final"), tolerance: 1e-5, "\(name): x_final")
        }
    }
}
