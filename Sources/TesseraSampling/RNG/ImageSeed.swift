/// Everything that decides one image's noise in A1111: seed, variation seed (subseed) and
/// its strength, and "Resize seed from" width/height (0 = off).
public struct ImageSeed: Sendable, Hashable, Codable {
    /// The image seed (already resolved: never −1).
    public var seed: Int64
    /// The variation seed.
    public var subseed: Int64
    /// Variation strength in [0, 1]: 0 → pure seed noise, 1 → pure variation-seed noise.
    public var subseedStrength: Float
    /// "Resize seed from width" in pixels; active only when both resize values are > 0.
    public var seedResizeFromWidth: Int
    /// "Resize seed from height" in pixels.
    public var seedResizeFromHeight: Int

    /// An image seed; variation and resize are off by default.
    public init(seed: Int64, subseed: Int64 = 0, subseedStrength: Float = 0,
                seedResizeFromWidth: Int = 0, seedResizeFromHeight: Int = 0) {
        self.seed = seed
        self.subseed = subseed
        self.subseedStrength = subseedStrength
        self.seedResizeFromWidth = seedResizeFromWidth
        self.seedResizeFromHeight = seedResizeFromHeight
    }

    /// Whether "Resize seed from" is active.
    public var resizesSeed: Bool { seedResizeFromWidth > 0 && seedResizeFromHeight > 0 }
}

/// A1111's seed bookkeeping for a job (`processing.py`).
public enum SeedPlan {
    /// A1111's random seed range: `random.randrange(4294967294)`.
    public static let randomRange: Range<Int64> = 0..<4_294_967_294

    /// `seed` unless it is −1, which becomes a fresh random seed (report the returned value).
    public static func resolve<G: RandomNumberGenerator>(_ seed: Int64, using generator: inout G) -> Int64 {
        seed == -1 ? Int64.random(in: randomRange, using: &generator) : seed
    }

    /// `resolve` with the system random generator.
    public static func resolve(_ seed: Int64) -> Int64 {
        var g = SystemRandomNumberGenerator()
        return resolve(seed, using: &g)
    }

    /// The per-image seeds of a job of `count` images (`n_iter · batch_size`), from already
    /// resolved seeds: image k gets `seed + k` when the variation strength is 0, else `seed`
    /// for all; the variation seed is always `subseed + k`.
    public static func imageSeeds(seed: Int64, subseed: Int64 = 0, subseedStrength: Float = 0, count: Int,
                                  seedResizeFromWidth: Int = 0, seedResizeFromHeight: Int = 0) throws -> [ImageSeed] {
        guard count >= 0 else { throw SamplingError.invalidParameter(name: "image count", problem: "negative (\(count))") }
        guard subseedStrength >= 0, subseedStrength <= 1 else {
            throw SamplingError.invalidParameter(name: "subseed_strength", problem: "must be in 0...1, got \(subseedStrength)")
        }
        return (0..<count).map { k in
            ImageSeed(seed: seed &+ (subseedStrength == 0 ? Int64(k) : 0), subseed: subseed &+ Int64(k),
                      subseedStrength: subseedStrength,
                      seedResizeFromWidth: seedResizeFromWidth, seedResizeFromHeight: seedResizeFromHeight)
        }
    }
}
