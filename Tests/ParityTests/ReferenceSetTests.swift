import Foundation
import TesseraCheckpoint
import XCTest

/// The reference set itself must be present and readable, or every parity case would fail for
/// the wrong reason.
final class ParityReferenceSetTests: XCTestCase {
    func testEveryCaseFileInTheIndexOpens() throws {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: ReferenceCase.root.appendingPathComponent("index.json")))
        XCTAssertNotNil(index)
        let fp16 = try SafeTensorsFile(path: ReferenceCase.path("models/unet/diffusion_pytorch_model.safetensors"))
        let fp32 = try SafeTensorsFile(path: ReferenceCase.path("models/checkpoint_ldm.safetensors"))
        // The fp16 diffusers UNet and the fp32 LDM file hold the same fp16-exact values.
        let a = try fp16.tensor("conv_in.weight")
        let b = try fp32.tensor("model.diffusion_model.input_blocks.0.0.weight")
        XCTAssertEqual(fp16.entries["conv_in.weight"]?.dtype, .f16)
        XCTAssertEqual(a, b)
    }
}
