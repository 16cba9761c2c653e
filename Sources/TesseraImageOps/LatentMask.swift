import TesseraImaging

/// A1111's latent mask (`latmask`): the sampling mask resized with Pillow's default filter
/// (bicubic) to the latent size, scaled to [0, 1] and, with `mask_round`, rounded to 0/1 at 0.5.
/// 1 = generate, 0 = keep the init latent; the same plane serves all 4 latent channels.
public struct LatentMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major values, `width * height`.
    public let values: [Float]

    /// - Parameters: `mask`: `image_mask` (or a script's `latent_mask`) at the render size;
    ///   `latentWidth`/`latentHeight`: ⌊W/8⌋, ⌊H/8⌋.
    public init(mask: GreyImage, latentWidth: Int, latentHeight: Int, round: Bool = true) throws {
        guard latentWidth > 0, latentHeight > 0 else {
            throw ImageOpsError.invalidParameter(name: "latent size", problem: "\(latentWidth)x\(latentHeight) must be positive")
        }
        guard mask.width > 0, mask.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "latent mask", problem: "the mask is empty")
        }
        let small = try mask.resized(width: latentWidth, height: latentHeight, filter: .bicubic)
        width = latentWidth
        height = latentHeight
        values = small.pixels.map { sample in
            let value = Float(sample) / 255
            return round ? value.rounded(.toNearestOrEven) : value
        }
    }

    /// `nmask`, the area to generate, repeated for `channels` latent channels (planar).
    public func planes(channels: Int = 4) -> [Float] {
        Array((0..<channels).map { _ in values }.joined())
    }
}
