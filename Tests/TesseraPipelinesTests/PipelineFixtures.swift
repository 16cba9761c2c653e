import Foundation
import TesseraImaging
import TesseraModels
import TesseraPipelines
import XCTest

/// The tiny reference models and small images the pipeline tests run on.
enum PipelineFixtures {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference")

    static func path(_ relative: String) -> String { reference.appendingPathComponent(relative).path }

    private static let cache = ModelCache()

    /// The LDM single-file tiny checkpoint, loaded once for the whole test run.
    static func model() throws -> StableDiffusionModel { try cache.model() }

    /// A 9-channel inpainting UNet (seeded random weights) with the reference VAE and text encoder.
    static func inpaintingModel() throws -> StableDiffusionModel {
        let base = try model()
        var config = base.unet.configuration
        config.inChannels = 9
        return try StableDiffusionModel(unet: UNet(randomWeights: config, seed: 9), vae: base.vae,
                                        textEncoder: base.textEncoder, name: "tiny-inpainting")
    }

    /// A models folder laid out like A1111's (`models/Lora`, `models/ControlNet`) with the reference files linked in.
    static func modelsDir() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-pipeline-models-\(ProcessInfo.processInfo.processIdentifier)")
        let lora = root.appendingPathComponent("models/Lora"), control = root.appendingPathComponent("models/ControlNet")
        try FileManager.default.createDirectory(at: lora, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: control, withIntermediateDirectories: true)
        for (dir, file) in [(lora, "lora_kohya.safetensors"), (control, "controlnet_ldm_fp16.safetensors")] {
            let link = dir.appendingPathComponent(file)
            if !FileManager.default.fileExists(atPath: link.path) {
                try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: path("models/" + file))
            }
        }
        return root.path
    }

    /// A 64×64 colour gradient with some structure.
    static func gradient(width: Int = 64, height: Int = 64) throws -> RGBAImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 4
                pixels[i] = UInt8(x * 255 / max(width - 1, 1))
                pixels[i + 1] = UInt8(y * 255 / max(height - 1, 1))
                pixels[i + 2] = UInt8(((x / 8 + y / 8) % 2) * 200 + 20)
            }
        }
        return try RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// White (repaint) where `x < split`, black elsewhere.
    static func leftMask(width: Int = 64, height: Int = 64, split: Int = 32) throws -> RGBAImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width where x >= split {
                let i = (y * width + x) * 4
                pixels[i] = 0; pixels[i + 1] = 0; pixels[i + 2] = 0
            }
        }
        return try RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// A fast request: 64×64, few Euler steps.
    static func request(prompt: String = "a red house, (blue sky:1.2)", seed: Int64 = 1234, steps: Int = 4) -> GenerationRequest {
        var request = GenerationRequest()
        request.prompt = prompt
        request.negativePrompt = "blurry"
        request.steps = steps
        request.sampler = "Euler"
        request.seed = seed
        request.width = 64
        request.height = 64
        return request
    }

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tessera-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }
}

private final class ModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: StableDiffusionModel?

    func model() throws -> StableDiffusionModel {
        lock.lock(); defer { lock.unlock() }
        if let loaded { return loaded }
        let model = try StableDiffusionModel(path: PipelineFixtures.path("models/checkpoint_ldm.safetensors"))
        loaded = model
        return model
    }
}
