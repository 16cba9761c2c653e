import Foundation
import XCTest
import TesseraCheckpoint

/// Full-size SD1.5 key/shape lists (no weights): every name of the real layouts must map, with the
/// right shapes, and configuration inference must give the real SD1.5 sizes.
final class ManifestTests: XCTestCase {
    func loadKeys(_ file: String, section: String? = nil) throws -> [String: [Int]] {
        let data = try Data(contentsOf: FixturePaths.manifest.appendingPathComponent(file))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let keys = try XCTUnwrap((section.map { json[$0] } ?? json["keys"]) as? [String: [Int]])
        return keys
    }

    func testEveryLDMKeyMapsToTheDiffusersManifestWithEqualShapes() throws {
        let ldm = try loadKeys("sd15_ldm_keys.json")
        let layout = LDMLayout(shapes: ldm)
        XCTAssertEqual(layout.partition.unplaced, [])
        XCTAssertEqual(layout.unet.shapes, try loadKeys("sd15_diffusers_keys.json", section: "unet"))
        XCTAssertEqual(layout.vae.shapes, try loadKeys("sd15_diffusers_keys.json", section: "vae"))
        XCTAssertEqual(layout.textEncoder.shapes, try loadKeys("sd15_diffusers_keys.json", section: "text_encoder"))
        // Accounted for: every stored name is used exactly once or deliberately ignored.
        let used = [layout.unet, layout.vae, layout.textEncoder].flatMap { $0.sources.values.map(\.name) }
        XCTAssertEqual(used.count, Set(used).count)
        XCTAssertEqual(Set(used).union(layout.partition.ignored), Set(ldm.keys))
        XCTAssertEqual(Set(layout.partition.ignored), NonWeightKeys.scheduleBuffers.subtracting(["logvar", "lvlb_weights"])
            .union(["cond_stage_model.transformer.text_model.embeddings.position_ids"]))
    }

    func testConfigInferenceGivesSD15Sizes() throws {
        let layout = LDMLayout(shapes: try loadKeys("sd15_ldm_keys.json"))
        let (u, v, t) = try layout.validatedConfigs(path: "sd15_ldm_keys.json")
        let unet = try XCTUnwrap(u)
        XCTAssertEqual(unet.blockOutChannels, [320, 640, 1280, 1280])
        XCTAssertEqual(unet.layersPerBlock, 2)
        XCTAssertEqual(unet.attentionLevels, [true, true, true, false])
        XCTAssertEqual(unet.crossAttentionDim, 768)
        XCTAssertEqual(unet.inChannels, 4)
        XCTAssertEqual(unet.outChannels, 4)
        XCTAssertEqual(unet.timeEmbedDim, 1280)
        XCTAssertEqual(unet.transformerDepth, 1)
        XCTAssertFalse(unet.useLinearProjection)
        XCTAssertFalse(unet.isInpainting)
        let vae = try XCTUnwrap(v)
        XCTAssertEqual(vae.blockOutChannels, [128, 256, 512, 512])
        XCTAssertEqual(vae.latentChannels, 4)
        XCTAssertEqual(vae.layersPerBlock, 2)
        let te = try XCTUnwrap(t)
        XCTAssertEqual(te, TextEncoderConfig(vocabularySize: 49408, hiddenSize: 768, layers: 12, intermediateSize: 3072, maxPositions: 77))
    }

    func testControlNetV11ManifestMapsToDiffusersControlNet() throws {
        let keys = try loadKeys("controlnet_v11_sd15_ldm_keys.json")
        let (layout, mapping) = try XCTUnwrap(ControlNetCheckpoint.mapping(shapes: keys, path: "controlnet manifest"))
        XCTAssertEqual(layout, .ldmPrefixed)
        XCTAssertEqual(mapping.shapes, try loadKeys("sd15_diffusers_keys.json", section: "controlnet"))
        let config = try ControlNetConfig.infer(shapes: mapping.shapes, path: "controlnet manifest")
        XCTAssertEqual(config.conditioningEmbeddingChannels, [16, 32, 96, 256])
        XCTAssertEqual(config.conditioningChannels, 3)
        XCTAssertEqual(config.unet.blockOutChannels, [320, 640, 1280, 1280])
        XCTAssertEqual(config.expectedShapes(), mapping.shapes)
    }

    func testControlNetWithoutPrefixMapsTheSame() throws {
        let keys = try loadKeys("controlnet_v11_sd15_ldm_keys.json")
        var bare: [String: [Int]] = [:]
        for (k, v) in keys { bare[String(k.dropFirst("control_model.".count))] = v }
        let (layout, mapping) = try XCTUnwrap(ControlNetCheckpoint.mapping(shapes: bare, path: "bare"))
        XCTAssertEqual(layout, .ldmBare)
        XCTAssertEqual(mapping.shapes, try loadKeys("sd15_diffusers_keys.json", section: "controlnet"))
    }

    func testKohyaLoRAManifestTargetsExistingWeightsWithCompatibleShapes() throws {
        let keys = try loadKeys("kohya_lora_sd15_rank8_keys.json")
        let modules = try LoRAFile.modules(shapes: keys, path: "lora manifest")
        XCTAssertEqual(modules.count, 264)
        let unet = try loadKeys("sd15_diffusers_keys.json", section: "unet")
        let te = try loadKeys("sd15_diffusers_keys.json", section: "text_encoder")
        for m in modules {
            let weights = m.component == .unet ? unet : te
            let w = try XCTUnwrap(weights[m.targetWeight], "\(m.storedName) → \(m.targetWeight) does not exist")
            let down = try XCTUnwrap(m.factorShapes["lora_down.weight"])
            let up = try XCTUnwrap(m.factorShapes["lora_up.weight"])
            XCTAssertEqual(m.rank, 8)
            XCTAssertEqual(m.kind, .lora)
            XCTAssertEqual(up[0], w[0], m.storedName)
            XCTAssertEqual(down[1], w[1], m.storedName)
            XCTAssertNotNil(m.alphaName)
        }
        XCTAssertEqual(modules.filter { $0.component == .textEncoder }.count, 72)
    }

    func testEveryLDMStyleKohyaNameOfTheSD15UNetTargetsAWeightOfTheSameShape() throws {
        let ldm = try loadKeys("sd15_ldm_keys.json")
        let unet = try loadKeys("sd15_diffusers_keys.json", section: "unet")
        var checked = 0
        for (name, shape) in ldm where name.hasPrefix("model.diffusion_model.") && name.hasSuffix(".weight") && shape.count >= 2 {
            let module = name.dropFirst("model.diffusion_model.".count).dropLast(".weight".count)
            let kohya = "lora_unet_" + module.replacingOccurrences(of: ".", with: "_")
            let (component, target) = try XCTUnwrap(KohyaNames.target(of: kohya), kohya)
            XCTAssertEqual(component, .unet)
            XCTAssertEqual(unet[target + ".weight"], shape, kohya)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 250)
    }
}
