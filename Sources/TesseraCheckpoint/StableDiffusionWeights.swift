import Foundation

/// The three weight sets an SD1.x pipeline needs, from whichever form the user points at: an
/// LDM single file (`.safetensors`/`.ckpt`) or a diffusers pipeline folder.
public struct StableDiffusionWeights: Sendable {
    public let unet: MappedWeightSource
    public let vae: MappedWeightSource
    public let textEncoder: MappedWeightSource

    /// Opens a checkpoint file or a diffusers folder; throws if it is not an SD1.x model or a
    /// component is absent.
    public static func open(path: String) throws -> StableDiffusionWeights {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let folder = try DiffusersFolder(path: path)
            // Detection checks the family and every tensor shape of each component present.
            let detected = try ModelDetector.detect(folder: folder)
            func component(_ role: String) throws -> MappedWeightSource {
                guard let c = detected.components[role] else { throw CheckpointError(path: path, problem: "has no \(role)/ component; it is not a complete SD1.x pipeline") }
                return c
            }
            return StableDiffusionWeights(unet: try component("unet"), vae: try component("vae"), textEncoder: try component("text_encoder"))
        }
        let ckpt = try LDMCheckpoint(path: path)
        for (component, source) in [("UNet (model.diffusion_model.*)", ckpt.unet), ("VAE (first_stage_model.*)", ckpt.vae),
                                    ("text encoder (cond_stage_model.transformer.*)", ckpt.textEncoder)] where source.names.isEmpty {
            throw CheckpointError(path: path, problem: "has no \(component) tensors; it is not a complete SD1.x checkpoint")
        }
        return StableDiffusionWeights(unet: ckpt.unet, vae: ckpt.vae, textEncoder: ckpt.textEncoder)
    }
}
