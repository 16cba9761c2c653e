import XCTest
import TesseraCheckpoint

final class LoRATests: XCTestCase {
    func testKohyaFileModulesTargetCanonicalNamesWithRankAlphaAndKinds() throws {
        let lora = try LoRAFile(path: FixturePaths.model("lora_kohya.safetensors"))
        XCTAssertEqual(lora.modules.count, 43)
        let proj = try XCTUnwrap(lora.modules.first { $0.storedName == "lora_unet_down_blocks_0_attentions_0_proj_in" })
        XCTAssertEqual(proj.target, "down_blocks.0.attentions.0.proj_in")
        XCTAssertEqual(proj.kind, .lora)
        XCTAssertEqual(proj.rank, 4)
        XCTAssertEqual(try lora.scale(proj), 0.5)
        let conv = try XCTUnwrap(lora.modules.first { $0.target == "down_blocks.0.resnets.0.conv1" })
        XCTAssertEqual(conv.kind, .locon)
        XCTAssertEqual(conv.factorShapes["lora_down.weight"]?.suffix(2), [3, 3])
        let te = try XCTUnwrap(lora.modules.first { $0.storedName == "lora_te_text_model_encoder_layers_0_self_attn_q_proj" })
        XCTAssertEqual(te.component, .textEncoder)
        XCTAssertEqual(te.target, "text_model.encoder.layers.0.self_attn.q_proj")
        let ff = try XCTUnwrap(lora.modules.first { $0.storedName.hasSuffix("mid_block_attentions_0_transformer_blocks_0_ff_net_0_proj") })
        XCTAssertEqual(ff.target, "mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj")
        XCTAssertEqual(try lora.factor(ff, "lora_up.weight").shape, ff.factorShapes["lora_up.weight"])
    }

    func testEveryKohyaTargetExistsInTheReferenceModels() throws {
        let lora = try LoRAFile(path: FixturePaths.model("lora_kohya.safetensors"))
        let unet = try SafeTensorsFile(path: FixturePaths.model("unet/diffusion_pytorch_model.safetensors"))
        let te = try SafeTensorsFile(path: FixturePaths.model("text_encoder/model.safetensors"))
        for m in lora.modules {
            let source: SafeTensorsFile = m.component == .unet ? unet : te
            XCTAssertTrue(source.contains(m.targetWeight), "\(m.storedName) → \(m.targetWeight)")
        }
    }

    func testLoHaModuleExposesHadamardFactors() throws {
        let loha = try LoRAFile(path: FixturePaths.model("loha.safetensors"))
        let m = try XCTUnwrap(loha.modules.first)
        XCTAssertEqual(loha.modules.count, 1)
        XCTAssertEqual(m.kind, .loha)
        XCTAssertEqual(m.rank, 4)
        XCTAssertEqual(m.target, "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q")
        XCTAssertEqual(Set(m.factors.keys), ["hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b"])
        XCTAssertEqual(try loha.factor(m, "hada_w1_a").shape, [32, 4])
    }

    func testUnknownModuleNamesAreRefusedRatherThanPatchingNothing() {
        XCTAssertNil(KohyaNames.target(of: "lora_te1_text_model_encoder_layers_0_mlp_fc1"))
        XCTAssertNil(KohyaNames.target(of: "lora_unet_input_blocks_99_7_proj_in"))
        XCTAssertThrowsError(try LoRAFile.modules(shapes: ["lora_unet_bottleneck_proj.lora_down.weight": [4, 320],
                                                           "lora_unet_bottleneck_proj.lora_up.weight": [320, 4]], path: "odd.safetensors")) {
            XCTAssertTrue("\($0)".contains("odd.safetensors: unrecognised LoRA module 'lora_unet_bottleneck_proj'"), "\($0)")
        }
    }

    func testLDMStyleUNetModuleNamesMapLikeA1111() {
        XCTAssertEqual(KohyaNames.target(of: "lora_unet_input_blocks_1_1_proj_in")?.1, "down_blocks.0.attentions.0.proj_in")
        XCTAssertEqual(KohyaNames.target(of: "lora_unet_output_blocks_5_1_transformer_blocks_0_attn2_to_k")?.1,
                       "up_blocks.1.attentions.2.transformer_blocks.0.attn2.to_k")
        XCTAssertEqual(KohyaNames.target(of: "lora_unet_middle_block_0_in_layers_2")?.1, "mid_block.resnets.0.conv1")
    }

    func testMismatchedRankIsRefused() {
        XCTAssertThrowsError(try LoRAFile.modules(shapes: ["lora_unet_mid_block_attentions_0_proj_in.lora_down.weight": [4, 32],
                                                           "lora_unet_mid_block_attentions_0_proj_in.lora_up.weight": [32, 8]], path: "bad.safetensors")) {
            XCTAssertTrue("\($0)".contains("do not share a rank"), "\($0)")
        }
    }

    func testUnsupportedFactorKindsAreRefusedNotDropped() {
        let base = "lora_unet_mid_block_attentions_0_proj_in"
        XCTAssertThrowsError(try LoRAFile.modules(shapes: ["\(base).lora_down.weight": [4, 32], "\(base).lora_up.weight": [32, 4],
                                                           "\(base).dora_scale": [1, 32]], path: "dora.safetensors")) {
            XCTAssertTrue("\($0)".contains("DoRA"), "\($0)")
        }
        XCTAssertThrowsError(try LoRAFile.modules(shapes: ["\(base).lokr_w1": [4, 4], "\(base).lokr_w2": [8, 8]], path: "lokr.safetensors")) {
            XCTAssertTrue("\($0)".contains("lokr.safetensors: LoRA module '\(base)': unsupported factors"), "\($0)")
        }
    }
}
