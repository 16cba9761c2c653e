import TesseraImaging
import TesseraPrompt

/// The outcome of one generation.
public struct GenerationResult: Sendable {
    /// The final 8-bit image (for inpainting: composited over the original).
    public let image: RGBAImage
    /// What A1111 would write into the PNG's `parameters` text.
    public let parameters: GenerationParameters
    /// Model (denoiser) calls made; each is one batched cond+uncond UNet evaluation.
    public let modelCalls: Int
    /// For each ControlNet unit, the model-call indices at which it was applied.
    public let controlNetCalls: [[Int]]
}
