import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// The UNet reproduces diffusers' `UNet2DConditionModel` on the reference cases.
final class ParityUNetTests: XCTestCase {
    static func loadUNet() throws -> UNet {
        let weights = try SafeTensorsFile(path: ReferenceCase.path("models/unet/diffusion_pytorch_model.safetensors"))
        let config = try ConfigFile(path: ReferenceCase.path("models/unet/config.json"))
        return try UNet(source: weights, configuration: UNetConfiguration.infer(from: weights, config: config))
    }

    func run(_ unet: UNet, _ c: ReferenceCase, control: ControlResiduals? = nil) throws -> Tensor {
        try unet(c.input("sample"), timesteps: c.input("timestep").data,
                 context: c.input("encoder_hidden_states"), control: control)
    }

    func testBatchOfTwoWithFloatTimestepsMatchesDiffusers() throws {
        let c = try ReferenceCase("unet", "a_batch2")
        assertClose(try run(Self.loadUNet(), c), try c.output("sample"), tolerance: 1e-4, "unet/a_batch2")
    }

    func testNonSquareLatentMatchesDiffusers() throws {
        let c = try ReferenceCase("unet", "b_nonsquare")
        assertClose(try run(Self.loadUNet(), c), try c.output("sample"), tolerance: 1e-4, "unet/b_nonsquare")
    }

    func testControlNetResidualsAreAddedToSkipsAndMidBlock() throws {
        let c = try ReferenceCase("unet", "c_controlnet_residuals")
        let down = try (0..<12).map { try c.input(String(format: "down_residual_%02d", $0)) }
        let control = ControlResiduals(down: down, mid: try c.input("mid_residual"))
        assertClose(try run(Self.loadUNet(), c, control: control), try c.output("sample"), tolerance: 1e-4, "unet/c_controlnet_residuals")
    }

    func testConfigurationInferredFromShapesMatchesTheConfigFile() throws {
        let weights = try SafeTensorsFile(path: ReferenceCase.path("models/unet/diffusion_pytorch_model.safetensors"))
        let config = try UNetConfiguration.infer(from: weights, config: ConfigFile(path: ReferenceCase.path("models/unet/config.json")))
        XCTAssertEqual(config.blockOutChannels, [32, 64, 32, 32])
        XCTAssertEqual(config.layersPerBlock, 2)
        XCTAssertEqual(config.attentionLevels, [true, true, true, false])
        XCTAssertEqual(config.heads, [2, 2, 2, 2])
        XCTAssertEqual(config.crossAttentionDim, 12)
        XCTAssertFalse(config.linearProjection)
    }
}
