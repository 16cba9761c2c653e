import Foundation
import XCTest
import TesseraCheckpoint

/// Configuration inferred from the tiny reference models must agree with their config.json, and
/// the generated expected-shape lists must equal the stored ones exactly.
final class ConfigInferenceTests: XCTestCase {
    func config(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: FixturePaths.models.appendingPathComponent("\(folder)/config.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testUNetConfigMatchesConfigJSONAndExpectedShapesMatchTheFile() throws {
        let file = try SafeTensorsFile(path: FixturePaths.model("unet/diffusion_pytorch_model.safetensors"))
        let c = try UNetConfig.infer(shapes: file.shapes, path: file.path)
        let json = try config("unet")
        XCTAssertEqual(c.blockOutChannels, json["block_out_channels"] as? [Int])
        XCTAssertEqual(c.layersPerBlock, json["layers_per_block"] as? Int)
        XCTAssertEqual(c.crossAttentionDim, json["cross_attention_dim"] as? Int)
        XCTAssertEqual(c.inChannels, json["in_channels"] as? Int)
        XCTAssertEqual(c.attentionLevels, (json["down_block_types"] as? [String])?.map { $0.hasPrefix("CrossAttn") })
        XCTAssertEqual(c.expectedShapes(), file.shapes)
    }

    func testVAEConfigMatchesConfigJSONAndExpectedShapesMatchTheFile() throws {
        let file = try SafeTensorsFile(path: FixturePaths.model("vae/diffusion_pytorch_model.safetensors"))
        let c = try VAEConfig.infer(shapes: file.shapes, path: file.path)
        let json = try config("vae")
        XCTAssertEqual(c.blockOutChannels, json["block_out_channels"] as? [Int])
        XCTAssertEqual(c.latentChannels, json["latent_channels"] as? Int)
        XCTAssertEqual(c.layersPerBlock, json["layers_per_block"] as? Int)
        XCTAssertEqual(c.expectedShapes(), file.shapes)
    }

    func testTextEncoderConfigMatchesConfigJSON() throws {
        let file = try SafeTensorsFile(path: FixturePaths.model("text_encoder/model.safetensors"))
        let c = try TextEncoderConfig.infer(shapes: file.shapes, path: file.path)
        let json = try config("text_encoder")
        XCTAssertEqual(c.hiddenSize, json["hidden_size"] as? Int)
        XCTAssertEqual(c.layers, json["num_hidden_layers"] as? Int)
        XCTAssertEqual(c.intermediateSize, json["intermediate_size"] as? Int)
        XCTAssertEqual(c.vocabularySize, json["vocab_size"] as? Int)
        XCTAssertEqual(c.expectedShapes(), file.shapes)
    }

    func testControlNetConfigMatchesConfigJSON() throws {
        let file = try SafeTensorsFile(path: FixturePaths.model("controlnet/diffusion_pytorch_model.safetensors"))
        let c = try ControlNetConfig.infer(shapes: file.shapes, path: file.path)
        let json = try config("controlnet")
        XCTAssertEqual(c.conditioningEmbeddingChannels, json["conditioning_embedding_out_channels"] as? [Int])
        XCTAssertEqual(c.unet.blockOutChannels, json["block_out_channels"] as? [Int])
        XCTAssertEqual(c.expectedShapes(), file.shapes)
    }

    func testESRGANConfigFromBothLayoutsIsX4WithEightFeaturesAndOneBlock() throws {
        for name in ["RRDBNet_x4_basicsr_fp16.safetensors", "RRDBNet_x4_esrgan_old_fp16.safetensors"] {
            let e = try ESRGANCheckpoint(path: FixturePaths.model("esrgan/\(name)"))
            let c = try ESRGANConfig.infer(shapes: e.mapping.shapes, path: name)
            XCTAssertEqual(c, ESRGANConfig(scale: 4, inChannels: 3, outChannels: 3, numFeat: 8, numBlock: 1, numGrowCh: 32), name)
        }
    }
}
