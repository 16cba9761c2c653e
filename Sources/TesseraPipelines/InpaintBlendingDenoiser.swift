import TesseraSampling
import TesseraTensor

/// A1111's per-step inpainting blend (`CFGDenoiser`, `mask_before_denoising` off): after CFG,
/// the x0 estimate is blended with the clean init latent outside the mask, and the sampler
/// steps from the blended estimate.
public struct InpaintBlendingDenoiser<Inner: Denoiser>: Denoiser {
    public let inner: Inner
    public let mask: LatentMask
    public let initLatent: Tensor

    public init(inner: Inner, mask: LatentMask, initLatent: Tensor) {
        self.inner = inner
        self.mask = mask
        self.initLatent = initLatent
    }

    public func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        mask.blend(try inner.denoise(x, sigma: sigma), keeping: initLatent)
    }
}
