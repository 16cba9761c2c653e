import TesseraCheckpoint

extension ModelLibrary {
    /// A library over an optional models folder plus single model files whose kinds are detected from their tensors
    /// (only headers are read). A file that is no model of a library kind is an error naming it.
    public static func detecting(root: String?, files: [String]) throws -> ModelLibrary {
        var byKind: [Kind: [String]] = [:]
        for file in files {
            let detected: DetectedModel.Kind
            do { detected = try ModelInfo.inspect(path: file, computeHashes: false).detected.kind } catch {
                throw PipelineError("model file '\(file)'", "\(error)")
            }
            guard let kind = Kind(detected: detected) else {
                throw PipelineError("model file '\(file)'", "is a \(detected.rawValue), not a checkpoint, LoRA, ControlNet, VAE or ESRGAN model")
            }
            byKind[kind, default: []].append(file)
        }
        return ModelLibrary(root: root, files: byKind)
    }
}

extension ModelLibrary.Kind {
    /// The library kind a detected model is used as; nil for parts (a bare UNet or text encoder).
    public init?(detected: DetectedModel.Kind) {
        switch detected {
        case .sd1Checkpoint, .sd1InpaintingCheckpoint: self = .checkpoint
        case .vae: self = .vae
        case .controlNet: self = .controlNet
        case .lora: self = .lora
        case .esrgan: self = .upscaler
        case .unet, .textEncoder: return nil
        }
    }
}
