import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// The VAE reproduces diffusers' `AutoencoderKL` encode (moments) and decode.
final class ParityVAETests: XCTestCase {
    static func loadVAE() throws -> AutoencoderKL {
        try AutoencoderKL(source: SafeTensorsFile(path: ReferenceCase.path("models/vae/diffusion_pytorch_model.safetensors")))
    }

    func testEncodeGivesDiffusersMomentsMeanAndClampedLogvar() throws {
        let c = try ReferenceCase("vae", "encode")
        let dist = try Self.loadVAE().encode(c.input("image"))
        assertClose(dist.moments, try c.output("moments"), tolerance: 1e-4, "vae/encode moments")
        assertClose(dist.mean, try c.output("mean"), tolerance: 1e-4, "vae/encode mean")
        assertClose(dist.logvar, try c.output("logvar"), tolerance: 1e-4, "vae/encode logvar")
    }

    func testDecodeSquareLatentMatchesDiffusers() throws {
        let c = try ReferenceCase("vae", "decode_0")
        assertClose(try Self.loadVAE().decode(c.input("latent")), try c.output("image"), tolerance: 1e-4, "vae/decode_0")
    }

    func testDecodeNonSquareLatentMatchesDiffusers() throws {
        let c = try ReferenceCase("vae", "decode_1")
        assertClose(try Self.loadVAE().decode(c.input("latent")), try c.output("image"), tolerance: 1e-4, "vae/decode_1")
    }

    func testConfigurationIsInferredFromShapes() throws {
        let vae = try Self.loadVAE()
        XCTAssertEqual(vae.configuration.blockOutChannels, [32, 64, 64, 64])
        XCTAssertEqual(vae.configuration.latentChannels, 4)
        XCTAssertEqual(vae.downscale, 8)
    }
}
