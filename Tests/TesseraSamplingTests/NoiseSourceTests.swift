import TesseraSampling
import TesseraTensor
import XCTest

final class NoiseSourceTests: XCTestCase {
    private let shape = [4, 8, 6]

    private func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
    }

    func testInitialNoiseIsTheSeedsFirstDrawForBothSources() throws {
        for rng in RNGSource.allCases {
            let noise = try NoiseSource(rng: rng).initialNoise(for: ImageSeed(seed: 1234), latentShape: shape)
            var g = NoiseGenerator(source: rng, seed: 1234)
            XCTAssertEqual(noise, g.normal(shape: shape))
        }
    }

    func testVariationStrengthZeroGivesTheBaseSeedNoise() throws {
        let source = NoiseSource(rng: .nv)
        let base = try source.initialNoise(for: ImageSeed(seed: 7), latentShape: shape)
        let varied = try source.initialNoise(for: ImageSeed(seed: 7, subseed: 99, subseedStrength: 0), latentShape: shape)
        XCTAssertEqual(varied, base)
    }

    func testVariationStrengthOneGivesTheVariationSeedNoise() throws {
        for rng in RNGSource.allCases {
            let source = NoiseSource(rng: rng)
            let sub = try source.initialNoise(for: ImageSeed(seed: 99), latentShape: shape)
            let varied = try source.initialNoise(for: ImageSeed(seed: 7, subseed: 99, subseedStrength: 1), latentShape: shape)
            XCTAssertLessThan(maxDifference(varied, sub), 1e-4)
        }
    }

    func testIntermediateVariationStrengthBlendsBetweenBothNoises() throws {
        let source = NoiseSource(rng: .nv)
        let base = try source.initialNoise(for: ImageSeed(seed: 7), latentShape: shape)
        let sub = try source.initialNoise(for: ImageSeed(seed: 99), latentShape: shape)
        let half = try source.initialNoise(for: ImageSeed(seed: 7, subseed: 99, subseedStrength: 0.5), latentShape: shape)
        XCTAssertGreaterThan(maxDifference(half, base), 0.1)
        XCTAssertGreaterThan(maxDifference(half, sub), 0.1)
    }

    func testNoiseIsAPureFunctionOfTheSeedNotOfBatchPositionOrCallOrder() throws {
        let source = NoiseSource(rng: .cpu, etaNoiseSeedDelta: 31337)
        let a = ImageSeed(seed: 10), b = ImageSeed(seed: 11, subseed: 5, subseedStrength: 0.3)
        let batch = try source.initialNoise(for: [a, b], latentShape: shape)
        let reversed = try source.initialNoise(for: [b, a], latentShape: shape)
        let size = shape.reduce(1, *)
        XCTAssertEqual(Array(batch.data[0..<size]), Array(reversed.data[size...]))
        XCTAssertEqual(Array(batch.data[size...]), try source.initialNoise(for: b, latentShape: shape).data)
        XCTAssertEqual(try source.initialNoise(for: a, latentShape: shape), try source.initialNoise(for: a, latentShape: shape))
    }

    func testStepNoiseContinuesTheSeedStreamWithoutENSDAndUsesSeedPlusENSDWithIt() throws {
        var continued = NoiseGenerator(source: .nv, seed: 10)
        _ = continued.normal(shape: shape)
        var plain = try NoiseSource(rng: .nv).stepStream(for: ImageSeed(seed: 10), latentShape: shape)
        XCTAssertEqual(plain.normal(shape: shape), continued.normal(shape: shape))

        var offset = NoiseGenerator(source: .nv, seed: 10 + 31337)
        var withDelta = try NoiseSource(rng: .nv, etaNoiseSeedDelta: 31337).stepStream(for: ImageSeed(seed: 10), latentShape: shape)
        XCTAssertEqual(withDelta.normal(shape: shape), offset.normal(shape: shape))
        // ENSD never changes the starting noise.
        XCTAssertEqual(try NoiseSource(rng: .nv, etaNoiseSeedDelta: 31337).initialNoise(for: ImageSeed(seed: 10), latentShape: shape),
                       try NoiseSource(rng: .nv).initialNoise(for: ImageSeed(seed: 10), latentShape: shape))
    }

    func testResizeSeedFromPastesTheSmallerSeedNoiseCentredIntoAFullDrawOfTheSeed() throws {
        let source = NoiseSource(rng: .nv)
        // Latent 8x6 (64x48 px); seed noise made for 32x32 px = 4x4 latent.
        let image = ImageSeed(seed: 3, seedResizeFromWidth: 32, seedResizeFromHeight: 32)
        let noise = try source.initialNoise(for: image, latentShape: shape)
        var smallGenerator = NoiseGenerator(source: .nv, seed: 3)
        let small = smallGenerator.normal(shape: [4, 4, 4])
        var fullGenerator = NoiseGenerator(source: .nv, seed: 3)
        let full = fullGenerator.normal(shape: shape)
        for c in 0..<4 {
            for y in 0..<8 {
                for x in 0..<6 {
                    let inside = (2..<6).contains(y) && (1..<5).contains(x)
                    let expected = inside ? small.data[(c * 4 + y - 2) * 4 + x - 1] : full.data[(c * 8 + y) * 6 + x]
                    XCTAssertEqual(noise.data[(c * 8 + y) * 6 + x], expected, "c\(c) y\(y) x\(x)")
                }
            }
        }
    }

    func testResizeSeedFromLargerThanTheLatentCropsTheSeedNoiseCentred() throws {
        let image = ImageSeed(seed: 3, seedResizeFromWidth: 64, seedResizeFromHeight: 80)  // 10x8 latent
        let noise = try NoiseSource(rng: .nv).initialNoise(for: image, latentShape: shape)
        var g = NoiseGenerator(source: .nv, seed: 3)
        let big = g.normal(shape: [4, 10, 8])
        XCTAssertEqual(noise.data[0], big.data[1 * 8 + 1])  // row offset 1, column offset 1
    }

    func testImageSeedsIncrementPerImageUnlessAVariationStrengthIsSet() throws {
        let plain = try SeedPlan.imageSeeds(seed: 100, subseed: 7, count: 3)
        XCTAssertEqual(plain.map(\.seed), [100, 101, 102])
        XCTAssertEqual(plain.map(\.subseed), [7, 8, 9])
        let varied = try SeedPlan.imageSeeds(seed: 100, subseed: 7, subseedStrength: 0.2, count: 3)
        XCTAssertEqual(varied.map(\.seed), [100, 100, 100])
        XCTAssertEqual(varied.map(\.subseed), [7, 8, 9])
    }

    func testSeedMinusOneBecomesARandomSeedInA1111sRangeAndOthersAreKept() {
        XCTAssertEqual(SeedPlan.resolve(42), 42)
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let seed = SeedPlan.resolve(-1, using: &g)
            XCTAssertTrue(SeedPlan.randomRange.contains(seed))
        }
    }

    func testMalformedLatentShapeIsRejected() {
        XCTAssertThrowsError(try NoiseSource().initialNoise(for: ImageSeed(seed: 1), latentShape: [4, 8])) { error in
            XCTAssertTrue(String(describing: error).contains("latent shape"))
        }
    }
}
