import Foundation
import XCTest
import TesseraCheckpoint

final class ESRGANTests: XCTestCase {
    func testOldESRGANLayoutGivesTheSameTensorsAsBasicSRLayout() throws {
        let old = try ESRGANCheckpoint(path: FixturePaths.model("esrgan/RRDBNet_x4_esrgan_old_fp16.safetensors"))
        let basic = try ESRGANCheckpoint(path: FixturePaths.model("esrgan/RRDBNet_x4_basicsr_fp16.safetensors"))
        XCTAssertEqual(old.layout, .original)
        XCTAssertEqual(basic.layout, .basicSR)
        XCTAssertEqual(old.weights.names, basic.weights.names)
        for name in basic.weights.names {
            XCTAssertEqual(try old.weights.tensor(name), try basic.weights.tensor(name), name)
        }
    }

    func testExpectedShapesMatchTheReferenceFileExactly() throws {
        let e = try ESRGANCheckpoint(path: FixturePaths.model("esrgan/RRDBNet_x4_basicsr_fp16.safetensors"))
        XCTAssertEqual(e.config.expectedShapes(), e.mapping.shapes)
    }

    func testMissingRDBConvIsNamed() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("broken_esrgan.safetensors")
        try SafeTensorsRewriter.rewrite(FixturePaths.model("esrgan/RRDBNet_x4_esrgan_old_fp16.safetensors"), to: url) { header in
            header["model.1.sub.0.RDB2.conv3.0.weight"] = nil
        }
        XCTAssertThrowsError(try ESRGANCheckpoint(path: url.path)) {
            XCTAssertEqual("\($0)", "\(url.path): missing tensors in the ESRGAN: 'body.0.rdb2.conv3.weight'")
        }
    }
}
