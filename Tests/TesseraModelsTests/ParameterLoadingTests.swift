import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

final class ParameterLoadingTests: XCTestCase {
    static let tinyUNet = UNetConfiguration(inChannels: 4, outChannels: 4, blockOutChannels: [32, 64], layersPerBlock: 1,
                                            attentionLevels: [true, false], heads: [2, 2], crossAttentionDim: 16)

    func testAWeightOfTheWrongShapeIsRefusedNamingTheTensor() throws {
        let unet = try UNet(randomWeights: Self.tinyUNet)
        var weights = InMemoryWeights(unet.parameters)
        weights.tensors["down_blocks.0.resnets.0.conv1.weight"] = Tensor(shape: [32, 32, 1, 1])
        XCTAssertThrowsError(try UNet(source: weights, configuration: Self.tinyUNet)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("down_blocks.0.resnets.0.conv1.weight") && text.contains("[32, 32, 3, 3]"), text)
        }
    }

    func testAMissingWeightIsRefusedNamingTheTensor() throws {
        let unet = try UNet(randomWeights: Self.tinyUNet)
        var weights = InMemoryWeights(unet.parameters)
        weights.tensors["conv_out.bias"] = nil
        XCTAssertThrowsError(try UNet(source: weights, configuration: Self.tinyUNet)) { error in
            XCTAssertTrue("\(error)".contains("missing tensor 'conv_out.bias'"), "\(error)")
        }
    }

    func testConfigurationIsInferredBackFromTheWeightsItProduced() throws {
        let unet = try UNet(randomWeights: Self.tinyUNet)
        let inferred = try UNetConfiguration.infer(from: InMemoryWeights(unet.parameters),
                                                   config: ConfigFile(values: ["attention_head_dim": 2], path: "config.json"))
        XCTAssertEqual(inferred, Self.tinyUNet)
    }

    func testLinearWeightsStoredAsOneByOneKernelsAreAccepted() throws {
        let vae = try AutoencoderKL(randomWeights: VAEConfiguration(blockOutChannels: [32, 32], layersPerBlock: 1))
        var weights = InMemoryWeights(vae.parameters)
        let q = weights.tensors["encoder.mid_block.attentions.0.to_q.weight"]!
        weights.tensors["encoder.mid_block.attentions.0.to_q.weight"] = q.reshaped(q.shape + [1, 1])
        let reloaded = try AutoencoderKL(source: weights)
        XCTAssertEqual(reloaded.parameters["encoder.mid_block.attentions.0.to_q.weight"], q)
    }

    func testRandomWeightsAreReproducibleAndScaledByFanIn() throws {
        let a = try UNet(randomWeights: Self.tinyUNet, seed: 7), b = try UNet(randomWeights: Self.tinyUNet, seed: 7)
        let w = a.parameters["down_blocks.1.resnets.0.conv1.weight"]
        XCTAssertEqual(w, b.parameters["down_blocks.1.resnets.0.conv1.weight"])
        let variance = w.data.map { Double($0) * Double($0) }.reduce(0, +) / Double(w.count)
        XCTAssertEqual(variance, 1.0 / Double(32 * 9), accuracy: 0.2 / Double(32 * 9))
    }

    func testUnmergingRestoresExactlyWhatWasLoaded() throws {
        let unet = try UNet(randomWeights: Self.tinyUNet)
        let name = "down_blocks.0.attentions.0.proj_in.weight"
        let original = unet.parameters[name]
        let patch = LoRAPatch(target: "down_blocks.0.attentions.0.proj_in",
                              factors: .lowRank(up: Tensor(shape: [32, 1, 1, 1], repeating: 0.5), down: Tensor(shape: [1, 32, 1, 1], repeating: 0.25)),
                              alpha: 0.5)
        try unet.parameters.merge([patch], multiplier: 2)
        XCTAssertEqual(unet.parameters[name].data[0], original.data[0] + 2 * 0.5 * 0.5 * 0.25, accuracy: 1e-6)
        try unet.parameters.merge([patch], multiplier: 2)
        unet.parameters.restoreOriginals()
        XCTAssertEqual(unet.parameters[name], original)
    }
}
