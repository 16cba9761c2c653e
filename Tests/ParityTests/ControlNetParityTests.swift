import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// The ControlNet reproduces diffusers' `ControlNetModel` residuals and every scale variant of the case.
final class ParityControlNetTests: XCTestCase {
    static func loadControlNet() throws -> ControlNet {
        let weights = try SafeTensorsFile(path: ReferenceCase.path("models/controlnet/diffusion_pytorch_model.safetensors"))
        let config = try ConfigFile(path: ReferenceCase.path("models/controlnet/config.json"))
        return try ControlNet(source: weights, configuration: UNetConfiguration.infer(from: weights, config: config, requireOutput: false))
    }

    func residuals(_ net: ControlNet, _ c: ReferenceCase, scales: [Float]?) throws -> ControlResiduals {
        try net(c.input("sample"), hint: c.input("controlnet_cond"), timesteps: c.input("timestep").data,
                context: c.input("encoder_hidden_states"), scales: scales)
    }

    func testResidualsAtScaleOneMatchDiffusers() throws {
        let c = try ReferenceCase("controlnet", "residuals")
        let r = try residuals(Self.loadControlNet(), c, scales: nil)
        XCTAssertEqual(r.down.count, 12)
        for i in 0..<12 {
            assertClose(r.down[i], try c.output(String(format: "down_%02d", i)), tolerance: 1e-4, "down_\(i)")
        }
        assertClose(r.mid, try c.output("mid"), tolerance: 1e-4, "mid")
    }

    func testEveryVariantScaleOfTheCaseIsReproduced() throws {
        let c = try ReferenceCase("controlnet", "residuals")
        let net = try Self.loadControlNet()
        guard let variants = c.parameters["variant_scales"] as? [String: [Double]] else {
            return XCTFail("controlnet/residuals.json lacks variant_scales")
        }
        let modes: [String: (ControlNet.Mode, Float)] = [
            "scale_1p0": (.balanced, 1), "scale_0p6": (.balanced, 0.6), "guess_mode": (.guess, 1), "a1111_soft": (.softInjection, 1),
        ]
        XCTAssertEqual(Set(variants.keys), Set(modes.keys), "variants in the case file")
        let base = try residuals(net, c, scales: nil)
        for (tag, expected) in variants {
            let (mode, scale) = modes[tag]!
            let ours = net.residualScales(mode: mode, conditioningScale: scale)
            XCTAssertEqual(ours.count, expected.count, tag)
            for (a, b) in zip(ours, expected) { XCTAssertEqual(Double(a), b, accuracy: 1e-6, tag) }
            let scaled = try residuals(net, c, scales: ours)
            for i in 0..<12 {
                let reference = try c.output(String(format: "down_%02d", i)) * Float(expected[i])
                assertClose(scaled.down[i], reference, tolerance: 1e-4, "\(tag) down_\(i)")
            }
            assertClose(scaled.mid, try c.output("mid") * Float(expected[12]), tolerance: 1e-4, "\(tag) mid")
            XCTAssertEqual(base.down.count, scaled.down.count)
        }
    }

    func testHintOfTheWrongSizeIsRejected() throws {
        let c = try ReferenceCase("controlnet", "residuals")
        let net = try Self.loadControlNet()
        let badHint = Tensor(shape: [1, 3, 64, 64])
        XCTAssertThrowsError(try net(c.input("sample"), hint: badHint, timesteps: c.input("timestep").data,
                                     context: c.input("encoder_hidden_states"))) { error in
            XCTAssertTrue("\(error)".contains("hint"), "\(error)")
        }
    }
}
