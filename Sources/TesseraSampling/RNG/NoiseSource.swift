import TesseraTensor

/// A1111's per-image noise (`modules/rng.py`, `ImageRNG`) as pure functions: the noise of an
/// image depends only on its `ImageSeed`, the latent shape and this source's settings, never
/// on batch composition, thread or call order.
public struct NoiseSource: Sendable, Hashable, Codable {
    /// Which random stream to imitate.
    public var rng: RNGSource
    /// A1111 "Eta noise seed delta" (ENSD): when non-zero, the per-step noise of ancestral
    /// samplers comes from a stream seeded with `seed + ENSD` instead of continuing the seed's.
    public var etaNoiseSeedDelta: Int64

    /// Defaults: NV source (reproducible across machines) and no ENSD.
    public init(rng: RNGSource = .nv, etaNoiseSeedDelta: Int64 = 0) {
        self.rng = rng
        self.etaNoiseSeedDelta = etaNoiseSeedDelta
    }

    /// The starting noise for one image, shape `latentShape` = `[C, H, W]` (`ImageRNG.first()`).
    public func initialNoise(for image: ImageSeed, latentShape: [Int]) throws -> Tensor {
        try Self.checkLatentShape(latentShape)
        let noiseShape = image.resizesSeed
            ? [latentShape[0], image.seedResizeFromHeight / 8, image.seedResizeFromWidth / 8]
            : latentShape
        var noise = firstDraw(seed: image.seed, shape: noiseShape)
        if image.subseedStrength != 0 {
            let subnoise = firstDraw(seed: image.subseed, shape: noiseShape)
            noise = try VariationNoise.slerp(image.subseedStrength, noise, subnoise)
        }
        if noiseShape != latentShape {
            // A full-size draw from the image's stream, with the small noise pasted centred.
            var full = firstDraw(seed: image.seed, shape: latentShape)
            VariationNoise.pasteCentred(noise, into: &full)
            noise = full
        }
        return noise
    }

    /// The stream that later draws of this image come from (ancestral / DDIM-eta noise, and the
    /// img2img start noise is the `initialNoise`): the image's stream after its first draw, or a
    /// fresh stream seeded `seed + ENSD`.
    public func stepStream(for image: ImageSeed, latentShape: [Int]) throws -> NoiseGenerator {
        try Self.checkLatentShape(latentShape)
        if etaNoiseSeedDelta != 0 { return stream(seed: image.seed &+ etaNoiseSeedDelta) }
        var g = stream(seed: image.seed)
        _ = g.normal(shape: latentShape)
        return g
    }

    /// Starting noise for a batch, `[B, C, H, W]`.
    public func initialNoise(for batch: [ImageSeed], latentShape: [Int]) throws -> Tensor {
        var data = [Float]()
        for image in batch { data += try initialNoise(for: image, latentShape: latentShape).data }
        return Tensor(shape: [batch.count] + latentShape, data: data)
    }

    /// The per-step noise sampler A1111 gives ancestral samplers for this batch.
    public func stepNoise(for batch: [ImageSeed], latentShape: [Int]) throws -> ImageStreamNoise {
        ImageStreamNoise(streams: try batch.map { try stepStream(for: $0, latentShape: latentShape) })
    }

    private func stream(seed: Int64) -> NoiseGenerator {
        NoiseGenerator(source: rng, seed: UInt64(bitPattern: seed))
    }

    private func firstDraw(seed: Int64, shape: [Int]) -> Tensor {
        var g = stream(seed: seed)
        return g.normal(shape: shape)
    }

    private static func checkLatentShape(_ shape: [Int]) throws {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw SamplingError.invalidParameter(name: "latent shape", problem: "expected [C, H, W] with positive sizes, got \(shape)")
        }
    }
}
