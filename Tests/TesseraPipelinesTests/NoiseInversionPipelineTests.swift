import TesseraImageOps
import TesseraImaging
import TesseraSampling
import TesseraTensor
import XCTest
@testable import TesseraPipelines

/// Tiled Diffusion's noise inversion (spec §7.4): the renoise mask's filter, the options and their infotext, and
/// the pipeline run on the tiny reference models.
final class NoiseInversionPipelineTests: XCTestCase {
    // MARK: renoise mask

    func testNumpysFloatToUInt8CastTruncatesAndWrapsNegativeValues() {
        XCTAssertEqual(RenoiseMask.numpyUInt8(3.7), 3)
        XCTAssertEqual(RenoiseMask.numpyUInt8(-0.5), 0)
        XCTAssertEqual(RenoiseMask.numpyUInt8(-3.7), 253)
        XCTAssertEqual(RenoiseMask.numpyUInt8(-255), 1)
        XCTAssertEqual(RenoiseMask.numpyUInt8(300), 44)
    }

    func testReflect101MirrorsWithoutRepeatingTheEdgePixel() {
        XCTAssertEqual((-3...7).map { RenoiseMask.reflect101($0, count: 5) }, [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1])
        XCTAssertEqual(RenoiseMask.reflect101(-9, count: 3), 1, "kernels wider than the image keep reflecting")
        XCTAssertEqual(RenoiseMask.reflect101(4, count: 1), 0)
    }

    func testTheBoxBlurIsOpenCVsNormalisedBoxWithItsAnchorForOddAndEvenKernels() {
        let (w, h) = (7, 5)
        var state: UInt32 = 12345
        let src: [Float] = (0..<(w * h)).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24)
        }
        for k in [2, 3, 4, 9] {
            let blurred = RenoiseMask.boxBlur(src, width: w, height: h, kernel: k)
            let before = k / 2
            for y in 0..<h {
                for x in 0..<w {
                    var sum = 0.0
                    for dy in 0..<k {
                        for dx in 0..<k {
                            let sx = RenoiseMask.reflect101(x - before + dx, count: w)
                            let sy = RenoiseMask.reflect101(y - before + dy, count: h)
                            sum += Double(src[sy * w + sx])
                        }
                    }
                    XCTAssertEqual(blurred[y * w + x], Float(sum / Double(k * k)), accuracy: 1e-6, "k \(k) at (\(x), \(y))")
                }
            }
        }
    }

    func testTheStreamedMaskEqualsTheWholeImageFilterResizedToTheLatentGrid() throws {
        var state: UInt32 = 987
        let (w, h) = (61, 45)
        let pixels: [UInt8] = (0..<(w * h * 4)).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let image = try RGBAImage(width: w, height: h, pixels: pixels)
        for (kernel, latentWidth, latentHeight) in [(3, 8, 6), (8, 7, 5), (64, 61, 45), (2, 3, 2)] {
            let whole = RenoiseMask.retouchFilter(GreyImage(luminanceOf: image), kernelSize: kernel)
            let expected = NoiseInversion.renoiseMask(
                filtered: bilinearResize(whole, height: latentHeight, width: latentWidth).reshaped([latentHeight, latentWidth]), strength: 0.7)
            let streamed = RenoiseMask.mask(for: image, kernelSize: kernel, strength: 0.7, latentWidth: latentWidth, latentHeight: latentHeight)
            XCTAssertEqual(streamed.shape, [latentHeight, latentWidth])
            XCTAssertEqual(streamed.data, expected.data, "kernel \(kernel), latent \(latentWidth)x\(latentHeight)")
        }
    }

    func testAFlatImageGivesTheRenoiseStrengthEverywhere() throws {
        let grey = try RGBAImage(width: 32, height: 24, pixels: [UInt8](repeating: 128, count: 32 * 24 * 4))
        let half = RenoiseMask.mask(for: grey, kernelSize: 8, strength: 0.5, latentWidth: 4, latentHeight: 3)
        XCTAssertEqual(half.shape, [3, 4])
        XCTAssertEqual(half.data, [Float](repeating: 0.5, count: 12))
        XCTAssertEqual(RenoiseMask.mask(for: grey, kernelSize: 8, strength: 2, latentWidth: 4, latentHeight: 3).data,
                       [Float](repeating: 1, count: 12), "clamped to 1")
    }

    func testPixelsBrighterThanTheirSurroundingsWrapToHighValuesAndKeepTheInvertedNoise() throws {
        // One bright pixel on black: gf = (A − 1)·(I − mean) is negative there, and the uint8 cast wraps it high.
        var pixels = [UInt8](repeating: 0, count: 9 * 9 * 4)
        for i in stride(from: 3, to: pixels.count, by: 4) { pixels[i] = 255 }
        for c in 0..<3 { pixels[(4 * 9 + 4) * 4 + c] = 255 }
        let filtered = RenoiseMask.retouchFilter(GreyImage(luminanceOf: try RGBAImage(width: 9, height: 9, pixels: pixels)), kernelSize: 3)
        let centre = filtered.data[4 * 9 + 4], neighbour = filtered.data[4 * 9 + 3], far = filtered.data[0]
        XCTAssertGreaterThan(centre, 0.9, "the bright pixel wraps to a high value: renoise mask near 0 there")
        XCTAssertEqual(far, 0, "flat black far away: gf = 0")
        XCTAssertLessThan(neighbour, 0.1, "a dark pixel next to the bright one: small positive gf")
    }

    // MARK: options

    func testTheInfotextRecordsTheOptionsAndReadsThemBack() throws {
        var settings = TiledDiffusionSettings.img2imgDefault
        XCTAssertFalse(settings.infotextValue.contains("noise inversion"))
        XCTAssertNil(try TiledDiffusionSettings(infotextValue: settings.infotextValue).noiseInversion)
        settings.noiseInversion = NoiseInversionSettings(steps: 20, retouch: 1.5, renoiseStrength: 0.75, renoiseKernelSize: 32)
        XCTAssertTrue(settings.infotextValue.hasSuffix(
            "noise inversion steps: 20, retouch: 1.5, renoise strength: 0.75, renoise kernel: 32"), settings.infotextValue)
        XCTAssertEqual(try TiledDiffusionSettings(infotextValue: settings.infotextValue), settings)
        let missing = settings.infotextValue.replacingOccurrences(of: ", renoise kernel: 32", with: "")
        XCTAssertThrowsError(try TiledDiffusionSettings(infotextValue: missing)) {
            XCTAssertTrue("\($0)".contains("renoise kernel"), "\($0)")
        }
    }

    func testEachOptionIsCheckedAgainstTheExtensionsRange() {
        let cases: [(NoiseInversionSettings, String)] = [
            (NoiseInversionSettings(steps: 0), "noise inversion steps"),
            (NoiseInversionSettings(retouch: 0.5), "noise inversion retouch"),
            (NoiseInversionSettings(renoiseStrength: 2.5), "renoise strength"),
            (NoiseInversionSettings(renoiseKernelSize: 1), "renoise kernel size"),
        ]
        for (settings, field) in cases {
            XCTAssertThrowsError(try settings.validate()) { XCTAssertTrue("\($0)".contains(field), "\($0)") }
        }
        XCTAssertNoThrow(try NoiseInversionSettings().validate())
    }

    // MARK: pipeline

    private func request(sampler: String = "Euler", inversion: NoiseInversionSettings? = NoiseInversionSettings(steps: 3, renoiseKernelSize: 8)) throws -> GenerationRequest {
        var request = PipelineFixtures.request(steps: 4)
        request.width = 128
        request.height = 96
        request.mode = .img2img(initImage: try PipelineFixtures.gradient(width: 128, height: 96))
        request.denoisingStrength = 0.5
        request.sampler = sampler
        request.tiledDiffusion = TiledDiffusionSettings(method: .mixtureOfDiffusers, tileWidth: 8, tileHeight: 8, overlap: 4,
                                                        noiseInversion: inversion)
        return request
    }

    private func pipeline() throws -> StableDiffusionPipeline {
        StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
    }

    func testImg2ImgWithNoiseInversionIsReproducibleAndStartsFromDifferentNoise() throws {
        let pipeline = try pipeline()
        let first = try pipeline.generate(try request())
        XCTAssertEqual(try pipeline.generate(try request()).image, first.image)
        XCTAssertNotEqual(try pipeline.generate(try request(inversion: nil)).image, first.image)
        XCTAssertTrue(first.parameters.extra.contains { $0.key == "Tiled Diffusion" && $0.value.contains("noise inversion steps: 3") },
                      "\(first.parameters.extra)")
    }

    func testABatchInvertsOnceAndEveryImageIsItsSingleRun() throws {
        let pipeline = try pipeline()
        let timer = PipelineStageTimer()
        pipeline.stageTimer = timer
        let single = try pipeline.generate(try request())
        let unetCallsForOne = timer.count(.unet)
        var batch = try request()
        batch.batchCount = 2
        timer.reset()
        let images = try pipeline.generateImages(batch)
        // 128×96 → a 16×12 latent in 3×2 tiles of 8 with overlap 4; 3 inversion steps of 6 tiles, run once.
        let inversionCalls = 3 * 6
        XCTAssertEqual(timer.count(.unet), 2 * unetCallsForOne - inversionCalls)
        XCTAssertEqual(images[0].image, single.image)
        var second = try request()
        second.seed += 1
        XCTAssertEqual(images[1].image, try pipeline.generate(second).image)
    }

    func testNoiseInversionRefusesOtherSamplersAndTxt2Img() throws {
        let pipeline = try pipeline()
        XCTAssertThrowsError(try pipeline.generate(try request(sampler: "Euler a"))) {
            XCTAssertTrue("\($0)".contains("Euler sampler only") && "\($0)".contains("Euler a"), "\($0)")
        }
        var txt2img = try request()
        txt2img.mode = .txt2img
        XCTAssertThrowsError(try pipeline.generate(txt2img)) { XCTAssertTrue("\($0)".contains("img2img"), "\($0)") }
    }
}
