import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// LoRA merging reproduces diffusers' fuse_lora on the UNet and text encoder, LoHa follows the
/// LyCORIS formula, and un-merging restores the model exactly.
final class ParityLoRATests: XCTestCase {
    static func loraFile() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: ReferenceCase.path("models/lora_kohya.safetensors"))
    }

    func multiplier(_ c: ReferenceCase) throws -> Float {
        guard let m = c.parameters["multiplier"] as? Double else { throw ModelError(c.name, "json lacks multiplier") }
        return Float(m)
    }

    func testUNetWithFusedKohyaLoRAMatchesDiffusersAndUnmergesExactly() throws {
        let c = try ReferenceCase("lora", "unet_kohya_fused")
        let unet = try ParityUNetTests.loadUNet()
        let patches = try KohyaLoRA.patches(from: Self.loraFile(), prefix: "lora_unet_", model: unet.parameters)
        let targets = (c.parameters["targets_unet"] as? [String]) ?? []
        XCTAssertEqual(Set(patches.map(\.target)), Set(targets))
        let before = try unet(c.input("sample"), timesteps: c.input("timestep").data, context: c.input("encoder_hidden_states"))

        try unet.parameters.merge(patches, multiplier: multiplier(c))
        let fused = try unet(c.input("sample"), timesteps: c.input("timestep").data, context: c.input("encoder_hidden_states"))
        assertClose(fused, try c.output("sample"), tolerance: 1e-4, "lora/unet_kohya_fused")

        unet.parameters.restoreOriginals()
        XCTAssertTrue(unet.parameters.modifiedNames.isEmpty)
        let after = try unet(c.input("sample"), timesteps: c.input("timestep").data, context: c.input("encoder_hidden_states"))
        XCTAssertEqual(after, before, "un-merge restores the exact weights")
    }

    func testTextEncoderWithFusedKohyaLoRAMatchesDiffusers() throws {
        let c = try ReferenceCase("lora", "te_kohya_fused")
        let encoder = try ParityTextEncoderTests.loadEncoder()
        let patches = try KohyaLoRA.patches(from: Self.loraFile(), prefix: "lora_te_", model: encoder.parameters)
        XCTAssertEqual(patches.count, (c.parameters["targets_te"] as? [String])?.count)
        try encoder.parameters.merge(patches, multiplier: multiplier(c))
        assertClose(try encoder(ParityTextEncoderTests.ids(c)), try c.output("last_hidden_state"), tolerance: 1e-4, "lora/te_kohya_fused")
    }

    func testLoHaDeltaAndMergeFollowTheFormula() throws {
        let c = try ReferenceCase("lora", "loha_formula")
        let weight = try c.input("weight")
        let patch = LoRAPatch(
            target: (c.parameters["target"] as? String) ?? "",
            factors: .hadamard(w1a: try c.input("hada_w1_a"), w1b: try c.input("hada_w1_b"),
                               w2a: try c.input("hada_w2_a"), w2b: try c.input("hada_w2_b")),
            alpha: Float((c.parameters["alpha"] as? Double) ?? .nan))
        XCTAssertEqual(patch.rank, c.parameters["rank"] as? Int)
        let delta = try patch.delta(targetShape: weight.shape)
        assertClose(delta, try c.output("delta"), tolerance: 1e-5, "loha delta")
        var merged = weight
        merged.add(delta, scale: try multiplier(c))
        assertClose(merged, try c.output("merged"), tolerance: 1e-5, "loha merged")
    }

    func testLoHaFileResolvesToItsUNetModule() throws {
        let unet = try ParityUNetTests.loadUNet()
        let loha = try SafeTensorsFile(path: ReferenceCase.path("models/loha.safetensors"))
        let patches = try KohyaLoRA.patches(from: loha, prefix: "lora_unet_", model: unet.parameters)
        XCTAssertEqual(patches.map(\.target), ["down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q"])
        try unet.parameters.merge(patches, multiplier: 1)
        XCTAssertEqual(unet.parameters.modifiedNames, ["down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight"])
    }

    func testPatchForAModuleTheModelLacksIsRejectedAndChangesNothing() throws {
        let unet = try ParityUNetTests.loadUNet()
        let patch = LoRAPatch(target: "down_blocks.9.nothing", factors: .lowRank(up: Tensor(shape: [2, 1]), down: Tensor(shape: [1, 2])), alpha: nil)
        XCTAssertThrowsError(try unet.parameters.merge([patch], multiplier: 1)) { error in
            XCTAssertTrue("\(error)".contains("down_blocks.9.nothing"), "\(error)")
        }
        XCTAssertTrue(unet.parameters.modifiedNames.isEmpty)
    }
}
