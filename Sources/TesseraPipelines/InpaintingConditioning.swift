import TesseraImaging
import TesseraTensor

/// A1111's `c_concat` for 9-channel inpainting UNets: the binary mask (nearest-resized to
/// latent size) and the latent of the init image with the masked area set towards 0 (mid-grey),
/// blended in by `inpainting_mask_weight` w: `src · (1 − w·mask)`, A1111's `lerp(src, src·(1 − mask), w)`. Without a
/// mask the mask is all ones; txt2img uses a 0.5-grey image.
enum InpaintingConditioning {
    static func tensor(source: StableDiffusionPipeline.Source, width: Int, height: Int, codec: LatentCodec,
                       maskWeight: Float = 1) throws -> Tensor {
        let image = source.prepared?.initImage ?? source.renderImage
        var pixels = image.map { LatentCodec.tensor(from: $0) } ?? Tensor(shape: [1, 3, height, width], repeating: 0)
        let (h, w) = (pixels.shape[2], pixels.shape[3])
        var binary = [Float](repeating: 1, count: h * w)
        if let mask = source.prepared?.samplingMask, mask.width == w, mask.height == h {
            binary = mask.pixels.map { (Float($0) / 255).rounded(.toNearestOrEven) }
            let plane = h * w
            for c in 0..<3 { for i in 0..<plane { pixels.data[c * plane + i] *= 1 - maskWeight * binary[i] } }
        }
        let latent = try codec.encode(pixels: pixels)
        let (lh, lw) = (latent.shape[2], latent.shape[3])
        var small = [Float](repeating: 0, count: lh * lw)
        for y in 0..<lh {
            for x in 0..<lw { small[y * lw + x] = binary[(y * h / lh) * w + (x * w / lw)] }
        }
        return Tensor(shape: [1, 5, lh, lw], data: small + latent.data)
    }
}
