import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// The RRDBNet reproduces spandrel's ESRGAN ×4 output, whole and tiled.
final class ParityESRGANTests: XCTestCase {
    static func loadNet() throws -> RRDBNet {
        try RRDBNet(source: SafeTensorsFile(path: ReferenceCase.path("models/esrgan/RRDBNet_x4_basicsr_fp16.safetensors")))
    }

    func testWholeImageMatchesSpandrel() throws {
        let c = try ReferenceCase("esrgan", "rrdbnet_x4")
        let net = try Self.loadNet()
        XCTAssertEqual(net.configuration, RRDBNetConfiguration(features: 8, blocks: 1, growth: 32, scale: 4))
        assertClose(try net.forward(c.input("image")), try c.output("image"), tolerance: 1e-4, "esrgan whole")
    }

    func testTiledUpscaleWithEnoughContextMatchesSpandrel() throws {
        let c = try ReferenceCase("esrgan", "rrdbnet_x4")
        // Receptive field radius of this 1-block net is 17 input pixels + 3 at output scale: 20 is enough.
        let tiled = try Self.loadNet().upscale(c.input("image"), tile: 6, overlap: 20)
        assertClose(tiled, try c.output("image"), tolerance: 1e-4, "esrgan tiled")
    }
}
