import TesseraImageOps
import TesseraImaging
import XCTest

final class ExtrasTests: XCTestCase {
    func testGaussianBlurPreprocessorCoreMatchesOpenCVBitExactly() throws {
        let source = try Fixtures.image("edges_source.png")
        let expected = try Fixtures.image("gaussian_8bit_3.png")
        let actual = try OpenCVGaussianBlur8Bit(sigma: 3).apply(source)
        XCTAssertEqual(difference(actual, expected).maximum, 0, "\(difference(actual, expected).count) samples differ")
        XCTAssertEqual(try ControlNetPreprocessor(name: "blur_gaussian"), .blurGaussian(sigma: 9, resolution: 512))
    }

    func testUpscalerRunsOnlyWhenTheImageGrows() throws {
        let image = noiseImage(width: 20, height: 10, seed: 3)
        // A stand-in "upscaler" that paints white at the requested scale, so its use is visible.
        let white: @Sendable (RGBAImage, Double) throws -> RGBAImage = { source, scale in
            RGBAImage(width: Int(Double(source.width) * scale), height: Int(Double(source.height) * scale), fill: (255, 255, 255, 255))
        }
        let grown = try ResizeMode.justResize.resize(image, width: 40, height: 20, upscaler: white)
        XCTAssertEqual(grown, RGBAImage(width: 40, height: 20, fill: (255, 255, 255, 255)))
        let shrunk = try ResizeMode.justResize.resize(image, width: 10, height: 5, upscaler: white)
        XCTAssertEqual(shrunk, try ResizeMode.justResize.resize(image, width: 10, height: 5))
    }

    func testColourFixOnOneTileLeavesTheRestAlone() throws {
        var image = noiseImage(width: 40, height: 40, seed: 12)
        let original = image
        let reference = RGBAImage(width: 40, height: 40, fill: (200, 10, 10, 255))
        let tile = PixelRect(x: 8, y: 8, width: 16, height: 16)
        try ColorFix.adain.apply(toTile: tile, of: &image, reference: reference)
        XCTAssertTrue(image.pixel(x: 0, y: 0) == original.pixel(x: 0, y: 0))
        XCTAssertTrue(image.pixel(x: 30, y: 30) == original.pixel(x: 30, y: 30))
        // The reference tile is flat, so AdaIN collapses the tile to (almost) its colour.
        let p = image.pixel(x: 12, y: 12)
        XCTAssertEqual(Int(p.r), 200, accuracy: 2)
        XCTAssertThrowsError(try ColorFix(name: "Histogram"))
        XCTAssertThrowsError(try ColorFix.wavelet.apply(toTile: PixelRect(x: 30, y: 30, width: 20, height: 20), of: &image, reference: reference))
    }

    func testTileColorfixBlurIsABoxAverageWithReplicatedEdges() throws {
        // One channel, 5x1: [0 0 9 0 0], k = 1 → 3x3 windows (rows replicate, so the vertical average is a no-op).
        let blur = try TileColorfixBlur(variation: 1)
        let out = try blur.apply([0, 0, 9, 0, 0], channels: 1, width: 5, height: 1)
        XCTAssertEqual(out, [0, 3, 3, 3, 0])
        let edge = try blur.apply([6, 0, 0], channels: 1, width: 3, height: 1)
        XCTAssertEqual(edge, [4, 2, 0])
        XCTAssertThrowsError(try blur.apply([1, 2, 3], channels: 2, width: 3, height: 1))
    }
}

final class ControlImageA1111CropTests: XCTestCase {
    func testControlImageIsCutToTheRegionA1111Renders() throws {
        var mask = GreyImage(width: 200, height: 100)
        for y in 40..<50 { for x in 90..<130 { mask[x, y] = 255 } }
        let region = try ControlImageA1111Crop.cropRegion(mask: mask, blur: try MaskBlur(0), padding: 8, width: 64, height: 64)
        // Same box as the inpaint preparation test: (82,32,138,58) squared to 56x56.
        XCTAssertEqual(region, CropRegion(x1: 82, y1: 17, x2: 138, y2: 73))
        // A control image at half the size is first stretched to the mask size (Just Resize).
        var control = RGBAImage(width: 100, height: 50, fill: (0, 0, 0, 255))
        for y in 0..<50 { for x in 55..<100 { control.setPixel(x: x, y: y, (255, 255, 255, 255)) } }
        let cut = try ControlImageA1111Crop.apply(control, maskWidth: 200, maskHeight: 100, region: region!,
                                                  mode: .justResize, width: 64, height: 64)
        XCTAssertEqual(cut.width, 64)
        XCTAssertEqual(cut.height, 64)
        // Column 110 of the mask-sized image is white, column 100 black: in the 56-wide box they
        // sit at (110−82)·64/56 = 32 and (100−82)·64/56 ≈ 20.
        XCTAssertGreaterThan(cut.pixel(x: 40, y: 32).r, 250)
        XCTAssertLessThan(cut.pixel(x: 16, y: 32).r, 5)
        XCTAssertNil(try ControlImageA1111Crop.cropRegion(mask: GreyImage(width: 10, height: 10), blur: try MaskBlur(4),
                                                          padding: 4, width: 64, height: 64))
    }
}

final class TileColorfixPostProcessTests: XCTestCase {
    func testZeroWeightLeavesTheNoisePredictionAlone() throws {
        let process = try TileColorfixPostProcess(variation: 2, weight: 0)
        let eps: [Float] = (0..<32).map { Float($0) / 32 }
        let out = try process.apply(xT: [Float](repeating: 0.3, count: 32), eps: eps, x0Origin: [Float](repeating: 1, count: 32),
                                    alphaBar: 0.5, isUncond: false, channels: 2, width: 4, height: 4)
        XCTAssertEqual(out, eps)
    }

    func testFlatLatentsTakeTheControlImageLevel() throws {
        // With flat inputs the blur is the identity, so x0 becomes x0Origin and
        // eps' = (sqrt(1/ᾱ)·x_t − x0Origin) / sqrt(1/ᾱ − 1).
        let process = try TileColorfixPostProcess(variation: 1, weight: 1)
        let out = try process.apply(xT: [Float](repeating: 1, count: 9), eps: [Float](repeating: 0, count: 9),
                                    x0Origin: [Float](repeating: 0.5, count: 9), alphaBar: 0.25, isUncond: false,
                                    channels: 1, width: 3, height: 3)
        // a = 2, b = sqrt(3): (2 − 0.5)/sqrt(3)
        for value in out { XCTAssertEqual(value, Float(1.5 / 3.0.squareRoot()), accuracy: 1e-5) }
        XCTAssertThrowsError(try process.apply(xT: [1], eps: [1, 2], x0Origin: [1], alphaBar: 0.5, isUncond: false,
                                               channels: 1, width: 1, height: 1))
    }
}

final class ControlImageAlphaTests: XCTestCase {
    func testTransparentControlImagesAreCompositedOntoWhite() throws {
        var image = RGBAImage(width: 2, height: 1, fill: (0, 0, 0, 255))
        image.setPixel(x: 1, y: 0, (0, 0, 0, 0))
        let out = try ControlNetPreprocessor.none.apply(image)
        XCTAssertTrue(out.pixel(x: 0, y: 0) == (0, 0, 0, 255))
        XCTAssertTrue(out.pixel(x: 1, y: 0) == (255, 255, 255, 255))
    }
}

final class HintValuesTests: XCTestCase {
    func testHintIsPlanarRGBInZeroToOne() {
        var map = RGBAImage(width: 2, height: 1, fill: (255, 0, 51, 255))
        map.setPixel(x: 1, y: 0, (0, 255, 102, 255))
        XCTAssertEqual(ControlHintGeometry.hintValues(map), [1, 0, 0, 1, 0.2, 0.4])
    }
}

final class ControlHintBuilderTests: XCTestCase {
    func testHintHasTheLatentAlignedRenderSize() throws {
        let image = try Fixtures.image("edges_source.png")
        let builder = ControlHintBuilder(preprocessor: try ControlNetPreprocessor(name: "canny"), resizeMode: .cropAndResize, pixelPerfect: true)
        let hint = try builder.hint(for: image, width: 100, height: 70)
        XCTAssertEqual(hint.width, 96)
        XCTAssertEqual(hint.height, 64)
        XCTAssertEqual(hint.values.count, 3 * 96 * 64)
        XCTAssertTrue(hint.values.allSatisfy { $0 == 0 || $0 == 1 }, "canny hints stay binary")
        XCTAssertTrue(hint.values.contains(1))
    }

    func testPixelPerfectReplacesTheResolution() throws {
        let canny = try ControlNetPreprocessor(name: "canny")
        XCTAssertEqual(canny.withResolution(384), .canny(lowThreshold: 100, highThreshold: 200, resolution: 384))
        XCTAssertEqual(ControlNetPreprocessor.invert.withResolution(384), .invert)
    }
}
