import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// The full-size SD1.5 architectures need exactly the tensors (names and shapes) of the reference
/// manifest, and their configurations are inferred back from those shapes.
final class ParityFullSizeLayoutTests: XCTestCase {
    /// Shapes of one component from manifest/sd15_diffusers_keys.json, as a shape-only source.
    struct ManifestShapes: WeightSource, ShapeProviding {
        let path: String
        let shapes: [String: [Int]]
        var names: [String] { shapes.keys.sorted() }
        func contains(_ name: String) -> Bool { shapes[name] != nil }
        func shape(_ name: String) -> [Int]? { shapes[name] }
        func tensor(_ name: String) throws -> Tensor {
            throw CheckpointError(path: path, problem: "manifest has shapes only, no data for '\(name)'")
        }
    }

    static func manifest(_ component: String) throws -> ManifestShapes {
        let path = ReferenceCase.path("manifest/sd15_diffusers_keys.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        guard let entries = json?[component] as? [String: [Int]] else {
            throw CheckpointError(path: path, problem: "no '\(component)' table")
        }
        return ManifestShapes(path: path, shapes: entries)
    }

    func assertSameLayout(_ ours: [String: [Int]], _ manifest: ManifestShapes, _ what: String) {
        let expected = manifest.shapes.filter { !$0.key.hasSuffix("position_ids") }
        XCTAssertEqual(Set(ours.keys).subtracting(expected.keys).sorted(), [], "\(what): tensors we need that SD1.5 lacks")
        XCTAssertEqual(Set(expected.keys).subtracting(ours.keys).sorted(), [], "\(what): SD1.5 tensors we ignore")
        for (name, shape) in ours where expected[name] != nil && expected[name] != shape {
            XCTFail("\(what): \(name) is \(shape), SD1.5 has \(expected[name]!)")
        }
    }

    func testUNetLayoutAndInferredConfigurationAreSD15() throws {
        let m = try Self.manifest("unet")
        assertSameLayout(try ArchitectureCatalogue.unet(.sd15), m, "unet")
        XCTAssertEqual(try UNetConfiguration.infer(from: m), .sd15)
    }

    func testControlNetLayoutAndInferredConfigurationAreSD15() throws {
        let m = try Self.manifest("controlnet")
        assertSameLayout(try ArchitectureCatalogue.controlNet(.sd15), m, "controlnet")
        XCTAssertEqual(try UNetConfiguration.infer(from: m, requireOutput: false), .sd15)
    }

    func testVAELayoutAndInferredConfigurationAreSD15() throws {
        let m = try Self.manifest("vae")
        assertSameLayout(try ArchitectureCatalogue.vae(.sd15), m, "vae")
        XCTAssertEqual(try VAEConfiguration.infer(from: m), .sd15)
    }

    func testTextEncoderLayoutAndInferredConfigurationAreSD15() throws {
        let m = try Self.manifest("text_encoder")
        assertSameLayout(try ArchitectureCatalogue.textEncoder(.sd15), m, "text_encoder")
        XCTAssertEqual(try CLIPTextConfiguration.infer(from: m), .sd15)
    }
}
