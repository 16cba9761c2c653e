import Foundation
import XCTest
import TesseraCheckpoint

/// Bad input gets one clear error naming the file and the problem; never a crash or a silent
/// wrong answer.
final class MalformedInputTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try FixturePaths.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func assertError(_ body: @autoclosure () throws -> Any, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            for part in parts { XCTAssertTrue(text.contains(part), "'\(text)' lacks '\(part)'", file: file, line: line) }
        }
    }

    func testPickleCallingOsSystemIsRefusedNamingTheGlobal() {
        let path = FixturePaths.fixture("malicious_os_system.ckpt")
        assertError(try TorchZipCheckpoint(path: path),
                    contains: ["malicious_os_system.ckpt: refused pickle global 'posix.system': only tensor data is loaded"])
        assertError(try LDMCheckpoint(path: path), contains: ["refused pickle global 'posix.system'"])
    }

    func testStackGlobalToBuiltinsEvalIsRefused() throws {
        // PROTO 4, SHORT_BINUNICODE "builtins", SHORT_BINUNICODE "eval", STACK_GLOBAL, …
        var bytes: [UInt8] = [0x80, 4, 0x8C, 8] + Array("builtins".utf8) + [0x8C, 4] + Array("eval".utf8) + [0x93]
        bytes += [0x8C, 1, UInt8(ascii: "1"), 0x85, 0x52, 0x2E]
        try bytes.withUnsafeBytes { raw in
            var u = RestrictedUnpickler(bytes: raw, path: "x.pkl")
            XCTAssertThrowsError(try u.load()) { XCTAssertEqual("\($0)", "x.pkl: refused pickle global 'builtins.eval': only tensor data is loaded") }
        }
    }

    func testInstOpcodeIsRefused() throws {
        let bytes: [UInt8] = [0x28] + Array("ios\nsystem\n".utf8) + [0x2E]
        try bytes.withUnsafeBytes { raw in
            var u = RestrictedUnpickler(bytes: raw, path: "y.pkl")
            XCTAssertThrowsError(try u.load()) { XCTAssertTrue("\($0)".contains("INST"), "\($0)") }
        }
    }

    func testTruncatedCheckpointZipIsRefused() {
        assertError(try TorchZipCheckpoint(path: FixturePaths.fixture("truncated.ckpt")), contains: ["truncated.ckpt", "truncated"])
    }

    func testTruncatedLegacyCheckpointIsRefused() throws {
        let url = folder.appendingPathComponent("cut.pth")
        let full = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("tiny_legacy.pth")))
        for count in [20, full.count / 2, full.count - 3] {
            try full.prefix(count).write(to: url)
            assertError(try CheckpointArchive.open(path: url.path), contains: ["cut.pth", "truncated"])
        }
    }

    func testTruncatedSafetensorsIsRefusedOnOpen() throws {
        let source = FixturePaths.model("lora_kohya.safetensors")
        let half = folder.appendingPathComponent("half.safetensors")
        try SafeTensorsRewriter.truncate(source, to: half, count: 40_000)
        assertError(try SafeTensorsFile(path: half.path), contains: ["half.safetensors", "truncated: tensor"])
        let tiny = folder.appendingPathComponent("tiny.safetensors")
        try SafeTensorsRewriter.truncate(source, to: tiny, count: 100)
        assertError(try SafeTensorsFile(path: tiny.path), contains: ["tiny.safetensors", "truncated: header claims"])
    }

    func testCorruptedHeaderIsRefused() throws {
        let url = folder.appendingPathComponent("corrupt.safetensors")
        var data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.model("loha.safetensors")))
        data.replaceSubrange(8..<40, with: Array(repeating: UInt8(ascii: "#"), count: 32))
        try data.write(to: url)
        assertError(try CheckpointArchive.open(path: url.path), contains: ["corrupt.safetensors", "bad header"])
        let garbage = folder.appendingPathComponent("garbage.safetensors")
        try Data((0..<64).map { UInt8($0 * 37 & 0xFF) }).write(to: garbage)
        assertError(try CheckpointArchive.open(path: garbage.path), contains: ["garbage.safetensors"])
    }

    func testSDXLLikeFileIsRefusedAsNotSD1() {
        assertError(try LDMCheckpoint(path: FixturePaths.fixture("sdxl_like_header.safetensors")),
                    contains: ["sdxl_like_header.safetensors: not an SD1.x checkpoint: found", "conditioner.embedders"])
        assertError(try StableDiffusionWeights.open(path: FixturePaths.fixture("sdxl_like_header.safetensors")),
                    contains: ["not an SD1.x checkpoint"])
    }

    func testSD2LikeFileIsRefusedAsNotSD1() {
        assertError(try LDMCheckpoint(path: FixturePaths.fixture("sd2_like_header.safetensors")),
                    contains: ["not an SD1.x checkpoint: found", "OpenCLIP"])
    }

    func testMissingUNetTensorsAreNamed() throws {
        let url = folder.appendingPathComponent("missing.safetensors")
        try SafeTensorsRewriter.rewrite(FixturePaths.model("checkpoint_ldm.safetensors"), to: url) { header in
            for k in header.keys where k.hasPrefix("model.diffusion_model.output_blocks.2.") { header[k] = nil }
        }
        assertError(try LDMCheckpoint(path: url.path),
                    contains: ["missing.safetensors: missing tensors in the UNet:", "'up_blocks.0.resnets.2.conv1.bias'", "more"])
    }

    func testShapeMismatchIsNamed() throws {
        let url = folder.appendingPathComponent("reshaped.safetensors")
        try SafeTensorsRewriter.rewrite(FixturePaths.model("checkpoint_ldm.safetensors"), to: url) { header in
            var entry = header["model.diffusion_model.input_blocks.1.0.in_layers.2.weight"] as! [String: Any]
            entry["shape"] = [32, 288, 1, 1]   // same byte size as [32, 32, 3, 3]
            header["model.diffusion_model.input_blocks.1.0.in_layers.2.weight"] = entry
        }
        assertError(try LDMCheckpoint(path: url.path),
                    contains: ["shape mismatch in the UNet: 'down_blocks.0.resnets.0.conv1.weight' is [32, 288, 1, 1], expected [32, 32, 3, 3]"])
    }

    func testUnknownTensorUnderAComponentPrefixIsRefused() throws {
        let url = folder.appendingPathComponent("stray.safetensors")
        try SafeTensorsRewriter.rewrite(FixturePaths.model("checkpoint_ldm_fp16.safetensors"), to: url) { header in
            header["model.diffusion_model.mystery.weight"] = header["model.diffusion_model.out.2.bias"]
        }
        assertError(try LDMCheckpoint(path: url.path), contains: ["unexpected tensors", "model.diffusion_model.mystery.weight"])
    }

    func testMissingFileIsNamed() {
        assertError(try CheckpointArchive.open(path: "/nonexistent/model.safetensors"), contains: ["/nonexistent/model.safetensors", "no such file"])
    }
}
