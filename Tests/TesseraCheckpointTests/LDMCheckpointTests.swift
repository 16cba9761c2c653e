import XCTest
import TesseraCheckpoint

/// The LDM single-file → diffusers mapping must give exactly the tensors diffusers' own
/// conversion gives (the reference diffusers folders were verified that way, see the
/// reference README).
final class LDMCheckpointTests: XCTestCase {
    func assertSameTensors(_ mapped: any WeightSource, _ expected: any WeightSource, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Set(mapped.names), Set(expected.names), "name sets differ", file: file, line: line)
        for name in expected.names where mapped.contains(name) {
            let a = try mapped.tensor(name)
            let b = try expected.tensor(name)
            XCTAssertEqual(a.shape, b.shape, "shape of \(name)", file: file, line: line)
            XCTAssertTrue(a.data == b.data, "values of \(name) differ", file: file, line: line)
        }
    }

    func testUNetFromLDMEqualsDiffusersFolder() throws {
        let ckpt = try LDMCheckpoint(path: FixturePaths.model("checkpoint_ldm.safetensors"))
        XCTAssertEqual(ckpt.unet.names.count, 686)
        try assertSameTensors(ckpt.unet, SafeTensorsFile(path: FixturePaths.model("unet/diffusion_pytorch_model.safetensors")))
    }

    func testVAEFromLDMEqualsDiffusersFolderIncludingSqueezedAttentionAndReversedDecoder() throws {
        let ckpt = try LDMCheckpoint(path: FixturePaths.model("checkpoint_ldm.safetensors"))
        XCTAssertEqual(ckpt.vae.names.count, 244)
        XCTAssertEqual(try ckpt.vae.tensor("decoder.mid_block.attentions.0.to_q.weight").shape, [64, 64])
        try assertSameTensors(ckpt.vae, SafeTensorsFile(path: FixturePaths.model("vae/diffusion_pytorch_model.safetensors")))
    }

    func testTextEncoderFromLDMEqualsTransformersFolderWithoutPositionIDs() throws {
        let ckpt = try LDMCheckpoint(path: FixturePaths.model("checkpoint_ldm.safetensors"))
        XCTAssertFalse(ckpt.textEncoder.names.contains { $0.hasSuffix("position_ids") })
        XCTAssertTrue(ckpt.layout.partition.ignored.contains("cond_stage_model.transformer.text_model.embeddings.position_ids"))
        try assertSameTensors(ckpt.textEncoder, SafeTensorsFile(path: FixturePaths.model("text_encoder/model.safetensors")))
    }

    func testScheduleBuffersAreIgnoredNotUnplaced() throws {
        let ckpt = try LDMCheckpoint(path: FixturePaths.model("checkpoint_ldm.safetensors"))
        XCTAssertTrue(ckpt.layout.partition.ignored.contains("alphas_cumprod"))
        XCTAssertTrue(ckpt.layout.partition.ignored.contains("betas"))
        XCTAssertEqual(ckpt.layout.partition.unplaced, [])
    }

    func testFP16LDMUNetDecodesToTheSameValuesAsFP32() throws {
        let half = try LDMCheckpoint(path: FixturePaths.model("checkpoint_ldm_fp16.safetensors"))
        XCTAssertTrue(half.vae.names.isEmpty)
        try assertSameTensors(half.unet, SafeTensorsFile(path: FixturePaths.model("unet/diffusion_pytorch_model.safetensors")))
    }

    func testControlNetFromLDMEqualsDiffusersFolder() throws {
        let cn = try ControlNetCheckpoint(path: FixturePaths.model("controlnet_ldm_fp16.safetensors"))
        XCTAssertEqual(cn.controlNet.names.count, 340)
        try assertSameTensors(cn.controlNet, SafeTensorsFile(path: FixturePaths.model("controlnet/diffusion_pytorch_model.safetensors")))
    }

    func testMissingTensorErrorNamesFileComponentAndTensor() throws {
        let ckpt = try LDMCheckpoint(path: FixturePaths.model("checkpoint_ldm_fp16.safetensors"))
        XCTAssertThrowsError(try ckpt.vae.tensor("decoder.conv_in.weight")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("checkpoint_ldm_fp16.safetensors"), text)
            XCTAssertTrue(text.contains("decoder.conv_in.weight"), text)
            XCTAssertTrue(text.contains("vae"), text)
        }
    }
}
