import Foundation
import XCTest
import TesseraCheckpoint

final class ModelInfoTests: XCTestCase {
    func expectedHashes() throws -> [String: [String: String]] {
        let data = try Data(contentsOf: FixturePaths.checkpoint.appendingPathComponent("a1111_hashes.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: String]])
    }

    func testHashesFollowA1111Definitions() throws {
        let expected = try expectedHashes()
        let files = ["lora_kohya.safetensors": FixturePaths.model("lora_kohya.safetensors"),
                     "checkpoint_ldm_fp16.safetensors": FixturePaths.model("checkpoint_ldm_fp16.safetensors"),
                     "tiny_state_dict.ckpt": FixturePaths.fixture("tiny_state_dict.ckpt")]
        for (name, path) in files {
            let h = try ModelHashes.compute(path: path)
            let e = try XCTUnwrap(expected[name])
            XCTAssertEqual(h.sha256, e["sha256"], name)
            XCTAssertEqual(h.legacy, e["legacy"], name)
            XCTAssertEqual(h.addnet, e["addnet"], name)
            XCTAssertEqual(h.autoV2, String(e["sha256"]!.prefix(10)), name)
            XCTAssertEqual(h.loraShortHash, String((e["addnet"] ?? e["sha256"]!).prefix(12)), name)
        }
    }

    func testLDMCheckpointInfo() throws {
        let path = FixturePaths.model("checkpoint_ldm.safetensors")
        let info = try ModelInfo.inspect(path: path)
        XCTAssertEqual(info.detected.kind, .sd1Checkpoint)
        XCTAssertEqual(info.dtypes, [.f32: 943, .f16: 52])
        var expected = 0
        for file in ["unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"] {
            expected += try SafeTensorsFile(path: FixturePaths.model(file)).tensorInfos.values.reduce(0) { $0 + $1.count }
        }
        XCTAssertEqual(info.parameterCount, expected)
        XCTAssertEqual(info.detected.unet?.blockOutChannels, [32, 64, 32, 32])
        XCTAssertEqual(info.detected.vae?.blockOutChannels, [32, 64, 64, 64])
        XCTAssertEqual(info.detected.textEncoder?.layers, 3)
        XCTAssertEqual(info.detected.ignored.count, 13)
        let text = info.description
        XCTAssertTrue(text.contains("Kind:"), text)
        XCTAssertTrue(text.contains("SD1.x checkpoint"), text)
        XCTAssertTrue(text.contains("original LDM single file"), text)
        XCTAssertTrue(text.contains("blocks 32/64/32/32"), text)
        XCTAssertTrue(text.contains("AutoV2 \(info.hashes!.autoV2)"), text)
        XCTAssertTrue(text.contains("F32 ×943"), text)
    }

    func testComponentFilesAreDetected() throws {
        XCTAssertEqual(try ModelInfo.inspect(path: FixturePaths.model("checkpoint_ldm_fp16.safetensors"), computeHashes: false).detected.kind, .unet)
        let cn = try ModelInfo.inspect(path: FixturePaths.model("controlnet_ldm_fp16.safetensors"), computeHashes: false)
        XCTAssertEqual(cn.detected.kind, .controlNet)
        XCTAssertEqual(cn.detected.controlNet?.conditioningEmbeddingChannels, [16, 32, 48, 64])
        XCTAssertEqual(cn.parameterCount, try SafeTensorsFile(path: FixturePaths.model("controlnet/diffusion_pytorch_model.safetensors")).tensorInfos.values.reduce(0) { $0 + $1.count })
        let esrgan = try ModelInfo.inspect(path: FixturePaths.model("esrgan/RRDBNet_x4_esrgan_old_fp16.safetensors"), computeHashes: false)
        XCTAssertEqual(esrgan.detected.kind, .esrgan)
        XCTAssertTrue(esrgan.description.contains("scale ×4, num_feat 8, num_block 1"), esrgan.description)
        XCTAssertEqual(try ModelInfo.inspect(path: FixturePaths.model("vae"), computeHashes: false).detected.kind, .vae)
        XCTAssertEqual(try ModelInfo.inspect(path: FixturePaths.model("text_encoder"), computeHashes: false).detected.kind, .textEncoder)
        XCTAssertEqual(try ModelInfo.inspect(path: FixturePaths.fixture("rrdbnet_x4_params_ema.pth"), computeHashes: false).detected.kind, .esrgan)
    }

    func testDiffusersPipelineFolderInfo() throws {
        let info = try ModelInfo.inspect(path: FixturePaths.models.path)
        XCTAssertEqual(info.detected.kind, .sd1Checkpoint)
        XCTAssertNil(info.hashes)
        XCTAssertEqual(Set(info.detected.components.keys), ["unet", "vae", "text_encoder", "controlnet"])
    }

    func testLoRAInfoReportsKindsRankAlphaAndLoraHash() throws {
        let info = try ModelInfo.inspect(path: FixturePaths.model("lora_kohya.safetensors"))
        XCTAssertEqual(info.detected.kind, .lora)
        let text = info.description
        XCTAssertTrue(text.contains("43 modules (LoCon ×1, LoRA ×42)"), text)
        XCTAssertTrue(text.contains("rank 4, alpha 2"), text)
        XCTAssertTrue(text.contains("Lora hash \(info.hashes!.loraShortHash) (addnet"), text)
        let loha = try ModelInfo.inspect(path: FixturePaths.model("loha.safetensors"), computeHashes: false)
        XCTAssertTrue(loha.description.contains("LoHa ×1"), loha.description)
    }

    func testInfoRefusesForeignAndUnknownFiles() {
        XCTAssertThrowsError(try ModelInfo.inspect(path: FixturePaths.fixture("sdxl_like_header.safetensors"))) {
            XCTAssertTrue("\($0)".contains("not an SD1.x checkpoint: found"), "\($0)")
        }
        XCTAssertThrowsError(try ModelInfo.inspect(path: FixturePaths.fixture("tiny_state_dict.ckpt"))) {
            XCTAssertTrue("\($0)".contains("tiny_state_dict.ckpt: not a recognised model"), "\($0)")
        }
    }

    func testFullSizeManifestIsDetectedAsSD15AndNineInputChannelsAsInpainting() throws {
        let data = try Data(contentsOf: FixturePaths.manifest.appendingPathComponent("sd15_ldm_keys.json"))
        var keys = try XCTUnwrap((JSONSerialization.jsonObject(with: data) as? [String: Any])?["keys"] as? [String: [Int]])
        let plain = try ModelDetector.detect(archive: HeaderOnlyArchive(path: "sd15", shapes: keys))
        XCTAssertEqual(plain.kind, .sd1Checkpoint)
        XCTAssertEqual(plain.unet?.crossAttentionDim, 768)
        keys["model.diffusion_model.input_blocks.0.0.weight"] = [320, 9, 3, 3]
        let inpainting = try ModelDetector.detect(archive: HeaderOnlyArchive(path: "sd15-inpainting", shapes: keys))
        XCTAssertEqual(inpainting.kind, .sd1InpaintingCheckpoint)
        XCTAssertEqual(inpainting.unet?.inChannels, 9)
        keys["model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"] = [320, 1024]
        XCTAssertThrowsError(try ModelDetector.detect(archive: HeaderOnlyArchive(path: "sd2", shapes: keys))) {
            XCTAssertTrue("\($0)".contains("not an SD1.x checkpoint: found cross-attention dim 1024"), "\($0)")
        }
    }

    func testReportHasOneLinePerFactInAFixedComponentOrder() throws {
        let info = try ModelInfo.inspect(path: FixturePaths.model("checkpoint_ldm.safetensors"))
        print(info.description)  // visible in test logs for a reader
        XCTAssertEqual(info.description.split(separator: "\n").count, 11)
        XCTAssertTrue(info.description.contains("(UNet 1,810,212, VAE 1,732,679, text encoder 600,696)"), info.description)
    }

    func testEveryReferenceModelHasAReportNamingItsKind() throws {
        let paths = ["lora_kohya.safetensors", "loha.safetensors", "controlnet_ldm_fp16.safetensors", "esrgan/RRDBNet_x4_basicsr_fp16.safetensors",
                     "controlnet", "unet"].map(FixturePaths.model)
        for path in paths {
            let info = try ModelInfo.inspect(path: path, computeHashes: false)
            print(info.description + "\n")  // visible in test logs for a reader
            XCTAssertTrue(info.description.hasPrefix("File:") && info.description.contains("\nKind:"), path)
            XCTAssertTrue(info.description.contains(info.detected.kind.rawValue), path)
            XCTAssertGreaterThan(info.parameterCount, 0, path)
        }
    }
}
