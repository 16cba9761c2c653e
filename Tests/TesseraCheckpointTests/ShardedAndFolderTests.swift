import XCTest
import TesseraCheckpoint

final class ShardedAndFolderTests: XCTestCase {
    func testShardedIndexServesTensorsFromEachShard() throws {
        let archive = try CheckpointArchive.open(path: FixturePaths.fixture("sharded/model.safetensors.index.json"))
        XCTAssertEqual(archive.names, ["a.weight", "b.bias", "c.weight"])
        XCTAssertEqual(try archive.tensor("a.weight").data, (0..<12).map(Float.init))
        XCTAssertEqual(try archive.tensor("b.bias").data, (0..<5).map(Float.init))
        XCTAssertEqual(try archive.tensor("c.weight").data, (0..<6).map { -Float($0) })
    }

    func testDiffusersComponentFoldersAreRecognisedByTheirConfig() throws {
        XCTAssertEqual(Array(try DiffusersFolder(path: FixturePaths.model("unet")).components.keys), ["unet"])
        XCTAssertEqual(Array(try DiffusersFolder(path: FixturePaths.model("vae")).components.keys), ["vae"])
        XCTAssertEqual(Array(try DiffusersFolder(path: FixturePaths.model("text_encoder")).components.keys), ["text_encoder"])
        XCTAssertEqual(Array(try DiffusersFolder(path: FixturePaths.model("controlnet")).components.keys), ["controlnet"])
    }

    func testDiffusersPipelineFolderGivesAllComponents() throws {
        let folder = try DiffusersFolder(path: FixturePaths.models.path)
        XCTAssertEqual(Set(folder.components.keys), ["unet", "vae", "text_encoder", "controlnet"])
        let weights = try StableDiffusionWeights.open(path: FixturePaths.models.path)
        XCTAssertEqual(weights.unet.names.count, 686)
        XCTAssertEqual(weights.vae.names.count, 244)
        XCTAssertEqual(weights.textEncoder.names.count, 52)
        XCTAssertEqual(try folder.component("unet").className, "UNet2DConditionModel")
    }

    func testStableDiffusionWeightsFromLDMFileAndFolderAgree() throws {
        let file = try StableDiffusionWeights.open(path: FixturePaths.model("checkpoint_ldm.safetensors"))
        let folder = try StableDiffusionWeights.open(path: FixturePaths.models.path)
        XCTAssertEqual(file.unet.names, folder.unet.names)
        XCTAssertEqual(file.vae.names, folder.vae.names)
        XCTAssertEqual(file.textEncoder.names, folder.textEncoder.names)
        XCTAssertEqual(try file.vae.tensor("encoder.mid_block.attentions.0.to_k.weight"), try folder.vae.tensor("encoder.mid_block.attentions.0.to_k.weight"))
    }

    func testUNetOnlyLDMFileIsNotACompletePipeline() {
        XCTAssertThrowsError(try StableDiffusionWeights.open(path: FixturePaths.model("checkpoint_ldm_fp16.safetensors"))) {
            XCTAssertTrue("\($0)".contains("has no VAE"), "\($0)")
        }
    }

    func testStandaloneVAEInBareLDMLayoutMapsLikeTheCheckpointVAE() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.vae.safetensors")
        try SafeTensorsRewriter.rewrite(FixturePaths.model("checkpoint_ldm.safetensors"), to: url) { header in
            for k in Array(header.keys) {
                if let rest = k.hasPrefix("first_stage_model.") ? String(k.dropFirst("first_stage_model.".count)) : nil {
                    header[rest] = header[k]
                }
                if k != "__metadata__" { header[k] = nil }
            }
        }
        let vae = try VAECheckpoint(path: url.path).vae
        let reference = try SafeTensorsFile(path: FixturePaths.model("vae/diffusion_pytorch_model.safetensors"))
        XCTAssertEqual(Set(vae.names), Set(reference.names))
        XCTAssertEqual(try vae.tensor("decoder.up_blocks.3.resnets.0.conv_shortcut.weight"), try reference.tensor("decoder.up_blocks.3.resnets.0.conv_shortcut.weight"))
    }
}
