import TesseraImageOps
import TesseraImaging
import TesseraTensor

/// A1111's latent inpainting mask (`latmask`): the sampling mask resized to latent size with
/// Pillow's bicubic filter, first channel / 255, rounded to 0/1 (`mask_round`), as
/// `[1, 4, h, w]` (`nmask`, 1 = generate).
public struct LatentMask: Sendable, Equatable {
    /// 1 where the sampler generates, 0 where the init latent is kept; `[1, 4, h, w]`.
    public let generate: Tensor

    public init(mask: GreyImage, latentWidth: Int, latentHeight: Int, round: Bool = true) throws {
        let small = try Resampler.resize(mask.rgba, width: latentWidth, height: latentHeight, filter: .bicubic)
        let plane = latentWidth * latentHeight
        var one = [Float](repeating: 0, count: plane)
        for i in 0..<plane {
            let v = Float(small.pixels[i * 4]) / 255
            one[i] = round ? v.rounded(.toNearestOrEven) : v
        }
        generate = Tensor(shape: [1, 4, latentHeight, latentWidth], data: Array([[Float]](repeating: one, count: 4).joined()))
    }

    /// `x·nmask + keep·(1 − nmask)`; the mask applies to every image of a `[B, 4, h, w]` batch.
    public func blend(_ x: Tensor, keeping keep: Tensor) -> Tensor {
        var out = x
        let size = generate.count
        for i in 0..<out.count {
            let m = generate.data[i % size]
            out.data[i] = x.data[i] * m + keep.data[i] * (1 - m)
        }
        return out
    }
}
