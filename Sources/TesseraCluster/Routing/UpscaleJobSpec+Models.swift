import TesseraPipelines
import TesseraPrompt

extension UpscaleJobSpec {
    /// The models a worker needs for this job's tiles: the checkpoint, the Tile ControlNet (a generation job's
    /// ControlNets and VAE), an ESRGAN pre-upscaler or upscaler, and the LoRAs the prompt's `<lora:…>` tags name (A1111 scans the positive prompt only).
    public var modelRequirements: [ModelRequirement] {
        var requirements: [ModelRequirement] = []
        if let generation {
            requirements = generation.modelRequirements
        } else if let diffusion {
            requirements.append(ModelRequirement(kind: .checkpoint, reference: diffusion.checkpoint))
            if let unit = diffusion.controlNetTile {
                requirements.append(ModelRequirement(kind: .controlNet, reference: unit.model))
            }
            if ESRGANPreUpscale.isModelName(diffusion.preUpscaler) {
                requirements.append(ModelRequirement(kind: .upscaler, reference: diffusion.preUpscaler))
            }
            requirements += ModelRequirement.loras(inPrompt: diffusion.prompt)
        } else if ESRGANPreUpscale.isModelName(upscaler) {
            requirements.append(ModelRequirement(kind: .upscaler, reference: upscaler))
        }
        var seen = Set<ModelRequirement>()
        return requirements.filter { seen.insert($0).inserted }
    }

    /// The renderer a worker must offer for this job's pixel tiles: the classical filter, `diffusion`, `generate`
    /// for a generation job, or `esrgan`
    /// for an ESRGAN-family upscaler (whose model is a requirement). Tiled-diffusion jobs' stages need
    /// `LatentTileRenderer.rendererName` instead.
    public var tileRendererName: String {
        if generation != nil { return GenerationJobSettings.rendererName }
        if diffusion == nil, ESRGANPreUpscale.isModelName(upscaler) { return ESRGANTileRenderer.rendererName }
        return upscaler
    }
}

extension ModelRequirement {
    /// The LoRAs of a prompt's `<lora:…>` / `<lyco:…>` tags; unreadable tags are left to the pipeline, which reports
    /// them with the prompt.
    public static func loras(inPrompt prompt: String) -> [ModelRequirement] {
        let tags = ExtraNetworkParser.parse(prompt).tags
        let references = (try? LoraReference.references(in: tags)) ?? []
        return references.map { ModelRequirement(kind: .lora, reference: $0.name) }
    }
}
