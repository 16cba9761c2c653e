import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// Models built through the checkpoint loaders (LDM single files, lllyasviel ControlNet, old
/// ESRGAN layout, the LoRA file reader) give the same reference outputs as the diffusers folders.
final class ParityCheckpointLayoutTests: XCTestCase {
    func unetConfig(_ source: any WeightSource) throws -> UNetConfiguration {
        try UNetConfiguration.infer(from: source, config: ConfigFile(path: ReferenceCase.path("models/unet/config.json")))
    }

    func testUNetFromTheFP16LDMFileMatchesDiffusers() throws {
        let c = try ReferenceCase("unet", "d_from_fp16_ldm")
        let source = try LDMCheckpoint(path: ReferenceCase.path("models/checkpoint_ldm_fp16.safetensors")).unet
        let unet = try UNet(source: source, configuration: unetConfig(source))
        let out = try unet(c.input("sample"), timesteps: c.input("timestep").data, context: c.input("encoder_hidden_states"))
        assertClose(out, try c.output("sample"), tolerance: 1e-4, "unet/d_from_fp16_ldm")
    }

    func testVAEAndTextEncoderFromTheFP32LDMFileMatchDiffusers() throws {
        let checkpoint = try LDMCheckpoint(path: ReferenceCase.path("models/checkpoint_ldm.safetensors"))
        let vae = try AutoencoderKL(source: checkpoint.vae)
        let decode = try ReferenceCase("vae", "decode_0")
        assertClose(try vae.decode(decode.input("latent")), try decode.output("image"), tolerance: 1e-4, "LDM vae decode_0")
        let encode = try ReferenceCase("vae", "encode")
        assertClose(try vae.encode(encode.input("image")).moments, try encode.output("moments"), tolerance: 1e-4, "LDM vae encode")

        let te = checkpoint.textEncoder
        let config = try CLIPTextConfiguration.infer(from: te, config: ConfigFile(path: ReferenceCase.path("models/text_encoder/config.json")))
        let encoder = try CLIPTextEncoder(source: te, configuration: config)
        let prompt = try ReferenceCase("text_encoder", "prompt_0")
        assertClose(try encoder(ParityTextEncoderTests.ids(prompt)), try prompt.output("last_hidden_state"), tolerance: 1e-4, "LDM text encoder")
    }

    func testControlNetFromTheLllyasvielFileMatchesDiffusers() throws {
        let c = try ReferenceCase("controlnet", "residuals")
        let source = try ControlNetCheckpoint(path: ReferenceCase.path("models/controlnet_ldm_fp16.safetensors")).controlNet
        let config = try UNetConfiguration.infer(from: source, config: ConfigFile(path: ReferenceCase.path("models/controlnet/config.json")), requireOutput: false)
        let net = try ControlNet(source: source, configuration: config)
        let r = try net(c.input("sample"), hint: c.input("controlnet_cond"), timesteps: c.input("timestep").data,
                        context: c.input("encoder_hidden_states"))
        for i in 0..<12 { assertClose(r.down[i], try c.output(String(format: "down_%02d", i)), tolerance: 1e-4, "LDM controlnet down_\(i)") }
        assertClose(r.mid, try c.output("mid"), tolerance: 1e-4, "LDM controlnet mid")
    }

    func testESRGANFromTheOldLayoutMatchesSpandrel() throws {
        let c = try ReferenceCase("esrgan", "rrdbnet_x4")
        let net = try RRDBNet(source: ESRGANCheckpoint(path: ReferenceCase.path("models/esrgan/RRDBNet_x4_esrgan_old_fp16.safetensors")).weights)
        assertClose(try net.forward(c.input("image")), try c.output("image"), tolerance: 1e-4, "esrgan old layout")
    }

    func testLoRAFileReaderPatchesGiveTheFusedUNet() throws {
        let c = try ReferenceCase("lora", "unet_kohya_fused")
        let unet = try ParityUNetTests.loadUNet()
        let file = try LoRAFile(path: ReferenceCase.path("models/lora_kohya.safetensors"))
        try unet.parameters.merge(file.patches(for: .unet), multiplier: Float(c.parameters["multiplier"] as? Double ?? .nan))
        let out = try unet(c.input("sample"), timesteps: c.input("timestep").data, context: c.input("encoder_hidden_states"))
        assertClose(out, try c.output("sample"), tolerance: 1e-4, "LoRAFile unet fused")
    }

    func testLoRAFileReaderPatchesGiveTheFusedTextEncoder() throws {
        let c = try ReferenceCase("lora", "te_kohya_fused")
        let encoder = try ParityTextEncoderTests.loadEncoder()
        let file = try LoRAFile(path: ReferenceCase.path("models/lora_kohya.safetensors"))
        try encoder.parameters.merge(file.patches(for: .textEncoder), multiplier: Float(c.parameters["multiplier"] as? Double ?? .nan))
        assertClose(try encoder(ParityTextEncoderTests.ids(c)), try c.output("last_hidden_state"), tolerance: 1e-4, "LoRAFile te fused")
    }
}
