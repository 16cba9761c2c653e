import TesseraModels
import TesseraPipelines
import TesseraTensor
import XCTest

final class LoRATests: XCTestCase {
    private func snapshot(_ store: ParameterStore) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: store.names.map { ($0, store[$0]) })
    }

    func testLoRAFromPromptIsMergedForTheJobAndRestoredBitForBitAfter() throws {
        let model = try PipelineFixtures.model()
        let pipeline = StableDiffusionPipeline(model: model, library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        let unetBefore = snapshot(model.unet.parameters), textBefore = snapshot(model.textEncoder.parameters)
        let plain = try pipeline.generate(PipelineFixtures.request(prompt: "a house", steps: 2))
        let withLoRA = try pipeline.generate(PipelineFixtures.request(prompt: "a house <lora:lora_kohya:0.7>", steps: 2))
        XCTAssertNotEqual(plain.image, withLoRA.image, "the LoRA had no effect")
        XCTAssertTrue(model.unet.parameters.modifiedNames.isEmpty)
        XCTAssertTrue(model.textEncoder.parameters.modifiedNames.isEmpty)
        XCTAssertEqual(snapshot(model.unet.parameters), unetBefore)
        XCTAssertEqual(snapshot(model.textEncoder.parameters), textBefore)
        let again = try pipeline.generate(PipelineFixtures.request(prompt: "a house", steps: 2))
        XCTAssertEqual(plain.image, again.image)
        let hashes = withLoRA.parameters.extra.first { $0.key == "Lora hashes" }?.value ?? ""
        XCTAssertTrue(hashes.hasPrefix("lora_kohya: "), hashes)
    }

    func testMissingLoRAIsAnErrorNamingItAndTheFoldersSearched() throws {
        let dir = try PipelineFixtures.modelsDir()
        let model = try PipelineFixtures.model()
        let pipeline = StableDiffusionPipeline(model: model, library: ModelLibrary(root: dir))
        XCTAssertThrowsError(try pipeline.generate(PipelineFixtures.request(prompt: "x <lora:not_there:1> <lora:lora_kohya:1>"))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("not_there"), text)
            XCTAssertTrue(text.contains("models/Lora") && text.contains("loras"), text)
        }
        XCTAssertTrue(model.unet.parameters.modifiedNames.isEmpty)
    }

    func testComfyUIFolderLayoutIsSearchedToo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-comfy-\(ProcessInfo.processInfo.processIdentifier)")
        let loras = root.appendingPathComponent("loras/sub")
        try FileManager.default.createDirectory(at: loras, withIntermediateDirectories: true)
        let file = loras.appendingPathComponent("style.safetensors")
        if !FileManager.default.fileExists(atPath: file.path) { XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data())) }
        XCTAssertEqual(try ModelLibrary(root: root.path).resolve(.lora, named: "style"), file.path)
        XCTAssertEqual(try ModelLibrary(root: root.path).resolve(.lora, named: "style [abc123]"), file.path)
    }
}
