import Foundation
import TesseraCheckpoint
import TesseraModels

/// A separately loaded VAE (A1111's "SD VAE" setting) and how the infotext names it.
struct LoadedVAE: @unchecked Sendable {
    let model: AutoencoderKL
    /// A1111's `VAE` value: the file's base name, extension included (`sd_vae.get_loaded_vae_name`).
    let name: String
    /// A1111's `VAE hash`: the first 10 hex digits of the whole file's SHA-256.
    let hash: String?

    var infotext: (name: String, hash: String?) { (name, hash) }
}

/// A1111's "SD VAE" values that keep the checkpoint's own VAE.
public enum VAESelection {
    /// "Automatic" and "None" (and an empty value) both mean the checkpoint's own VAE here.
    public static func meansCheckpointVAE(_ value: String) -> Bool { ["Automatic", "None", ""].contains(value) }
}

extension StableDiffusionPipeline {
    /// Loads (once per path) the VAE named `nameOrPath`: an existing file, or a name looked up
    /// in the library's VAE folders (`models/VAE`, ComfyUI `vae`). LDM, `first_stage_model.`-
    /// prefixed and diffusers key layouts are accepted.
    func loadVAE(_ nameOrPath: String) throws -> LoadedVAE {
        let path: String
        if FileManager.default.fileExists(atPath: nameOrPath) {
            path = nameOrPath
        } else if let library {
            path = try library.resolve(.vae, named: nameOrPath)
        } else {
            throw PipelineError("VAE '\(nameOrPath)'", "is not a file and no --models-dir was given to look it up in")
        }
        if let cached = vaeCache[path] { return cached }
        let vae: AutoencoderKL
        do {
            vae = try AutoencoderKL(source: try VAECheckpoint(path: path).vae)
        } catch {
            throw PipelineError("VAE '\(path)'", "cannot be loaded: \(error)")
        }
        let loaded = LoadedVAE(model: vae, name: URL(fileURLWithPath: path).lastPathComponent,
                               hash: try? ModelHashes.compute(path: path).autoV2)
        vaeCache[path] = loaded
        return loaded
    }
}
