import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraPrompt

/// LoRAs requested by `<lora:name:te:unet>` tags, merged into a loaded model for one job.
/// `restore()` puts every weight back exactly as loaded (the stores keep the originals).
public struct LoRAActivation: Sendable {
    /// (name, short hash) of each merged LoRA, for the `Lora hashes` infotext.
    public let hashes: [(name: String, hash: String)]
    private let stores: [ParameterStore]

    /// Resolves every reference in `library`, then merges: text-encoder modules with the te
    /// multiplier, UNet modules with the unet multiplier. On any error nothing stays merged.
    public static func activate(_ references: [LoraReference], library: ModelLibrary?, model: StableDiffusionModel) throws -> LoRAActivation {
        let stores = [model.unet.parameters, model.textEncoder.parameters]
        guard !references.isEmpty else { return LoRAActivation(hashes: [], stores: []) }
        guard let library else {
            throw PipelineError("LoRA '\(references[0].name)'", "the prompt asks for a LoRA but no --models-dir was given to look it up in")
        }
        var hashes: [(String, String)] = []
        do {
            for reference in references {
                let path = try library.resolve(.lora, named: reference.name)
                let file = try LoRAFile(path: path)
                try model.textEncoder.parameters.merge(try file.patches(for: .textEncoder), multiplier: Float(reference.textEncoderMultiplier))
                try model.unet.parameters.merge(try file.patches(for: .unet), multiplier: Float(reference.unetMultiplier))
                let hash = (try? ModelHashes.compute(path: path).loraShortHash) ?? ""
                hashes.append((reference.name, hash))
            }
        } catch {
            for store in stores { store.restoreOriginals() }
            throw error
        }
        return LoRAActivation(hashes: hashes, stores: stores)
    }

    /// Un-merges: every modified weight goes back to its loaded value, bit for bit.
    public func restore() {
        for store in stores { store.restoreOriginals() }
    }
}
