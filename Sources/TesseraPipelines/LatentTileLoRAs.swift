import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraPrompt

/// The LoRAs of a tiled-diffusion job, resolved and read once when the job is prepared, then merged into the
/// shared model only while the job uses it (text encoding, one tile's eps) and restored right after.
///
/// A session lives across many evaluations that other jobs on the same pipeline may interleave with, so it cannot
/// leave its LoRAs merged the way one `generate` call does. The merge is the one `LoRAActivation` performs (same
/// patches, same multipliers, same order per weight store), so the merged weights — and every tile's eps — are
/// bit for bit those of the in-process `generate` run.
public struct LatentTileLoRAs: Sendable {
    struct Loaded: Sendable {
        var name: String
        var textEncoder: [LoRAPatch]
        var unet: [LoRAPatch]
        var textEncoderMultiplier: Float
        var unetMultiplier: Float
    }

    let loaded: [Loaded]

    /// No LoRAs.
    public static let none = LatentTileLoRAs(loaded: [])

    /// Names as written in the prompt, in prompt order.
    public var names: [String] { loaded.map(\.name) }

    /// Resolves every reference with `resolve` (name → file path; it throws naming a missing LoRA) and reads its
    /// patches. Any failure names the LoRA.
    public init(_ references: [LoraReference], resolve: (String) throws -> String) throws {
        loaded = try references.map { reference in
            let path = try resolve(reference.name)
            do {
                let file = try LoRAFile(path: path)
                return Loaded(name: reference.name, textEncoder: try file.patches(for: .textEncoder),
                              unet: try file.patches(for: .unet),
                              textEncoderMultiplier: Float(reference.textEncoderMultiplier),
                              unetMultiplier: Float(reference.unetMultiplier))
            } catch {
                throw PipelineError("LoRA '\(reference.name)'", "\(path) cannot be read: \(error)")
            }
        }
    }

    init(loaded: [Loaded]) { self.loaded = loaded }

    /// The default resolver of a pipeline: its models folder, with `LoRAActivation`'s error when there is none.
    static func resolver(library: ModelLibrary?) -> (String) throws -> String {
        { name in
            guard let library else {
                throw PipelineError("LoRA '\(name)'", "the prompt asks for a LoRA but no --models-dir was given to look it up in")
            }
            return try library.resolve(.lora, named: name)
        }
    }

    /// Runs `body` with the text-encoder and UNet patches merged into `model` (as `generate` merges them), then
    /// restores every weight exactly. The caller holds the pipeline's lock.
    func withAllMerged<T>(into model: StableDiffusionModel, _ body: () throws -> T) throws -> T {
        try withMerged(into: model, textEncoder: true, body)
    }

    /// Runs `body` with only the UNet patches merged (all a tile's eps needs), then restores the weights.
    func withUNetMerged<T>(into model: StableDiffusionModel, _ body: () throws -> T) throws -> T {
        try withMerged(into: model, textEncoder: false, body)
    }

    private func withMerged<T>(into model: StableDiffusionModel, textEncoder: Bool, _ body: () throws -> T) throws -> T {
        guard !loaded.isEmpty else { return try body() }
        let stores = [model.unet.parameters, model.textEncoder.parameters]
        defer { for store in stores { store.restoreOriginals() } }
        for lora in loaded {
            do {
                if textEncoder { try model.textEncoder.parameters.merge(lora.textEncoder, multiplier: lora.textEncoderMultiplier) }
                try model.unet.parameters.merge(lora.unet, multiplier: lora.unetMultiplier)
            } catch {
                throw PipelineError("LoRA '\(lora.name)'", "cannot be merged into this checkpoint: \(error)")
            }
        }
        return try body()
    }
}
