import TesseraImageOps
import TesseraImaging
import XCTest

final class CompositeTests: XCTestCase {
    func testPillowGaussianBlurMatchesPillowExactly() throws {
        let source = try Fixtures.image("pillow_blur_source.png")
        for radius in [3, 16] {
            let expected = try Fixtures.image("pillow_blur_\(radius).png")
            let actual = try PillowGaussianBlur(radius: Float(radius)).apply(source)
            XCTAssertEqual(actual, expected, "radius \(radius): \(difference(actual, expected))")
        }
    }

    func testMaskedContentFillMatchesA1111Exactly() throws {
        let image = try Fixtures.image("fill_source.png")
        let mask = try Fixtures.grey("fill_mask.png")
        let expected = try Fixtures.image("fill_result.png")
        let actual = try MaskedContentFill.apply(image, mask: mask)
        let diff = difference(actual, expected)
        XCTAssertEqual(diff.maximum, 0, "\(diff.count) samples differ")
    }

    func testFillKeepsUnmaskedPixelsAndReplacesMaskedOnes() throws {
        let image = noiseImage(width: 32, height: 32, seed: 3)
        var mask = GreyImage(width: 32, height: 32)
        for y in 10..<20 { for x in 10..<20 { mask[x, y] = 255 } }
        let filled = try MaskedContentFill.apply(image, mask: mask)
        for y in 0..<32 {
            for x in 0..<32 where mask[x, y] == 0 { XCTAssertTrue(filled.pixel(x: x, y: y) == image.pixel(x: x, y: y)) }
        }
        XCTAssertNotEqual(filled, image)
    }

    func testOverlayCompositeMatchesA1111Exactly() throws {
        let image = try Fixtures.image("fill_source.png")
        let mask = try Fixtures.grey("fill_mask.png")
        let generated = try Fixtures.image("overlay_generated.png")
        let expected = try Fixtures.image("overlay_result.png")
        let actual = try OverlayComposite(image: image, overlayMask: mask).composite(generated: generated)
        let diff = difference(actual, expected)
        XCTAssertEqual(diff.maximum, 0, "\(diff.count) samples differ")
    }

    func testPixelsOutsideTheMaskComeBackExactlyForEveryValue() throws {
        // Every 8-bit value in every channel, under a half-masked image.
        var image = RGBAImage(width: 256, height: 2)
        for x in 0..<256 {
            image.setPixel(x: x, y: 0, (UInt8(x), UInt8(255 - x), UInt8((x * 7) % 256), 255))
            image.setPixel(x: x, y: 1, (UInt8(x), UInt8(x), UInt8(x), 255))
        }
        var mask = GreyImage(width: 256, height: 2)
        for x in 0..<256 where x % 3 == 0 { mask[x, 0] = UInt8(x) }
        let generated = noiseImage(width: 256, height: 2, seed: 11)
        let out = try OverlayComposite(image: image, overlayMask: mask).composite(generated: generated)
        for y in 0..<2 {
            for x in 0..<256 where mask[x, y] == 0 { XCTAssertTrue(out.pixel(x: x, y: y) == image.pixel(x: x, y: y), "x \(x) y \(y)") }
        }
        // Fully masked pixels are the generated ones.
        let full = GreyImage(width: 256, height: 2, value: 255)
        let replaced = try OverlayComposite(image: image, overlayMask: full).composite(generated: generated)
        XCTAssertEqual(replaced, generated)
    }

    func testOnlyMaskedCompositeKeepsEverythingOutsideTheBox() throws {
        let image = noiseImage(width: 64, height: 48, seed: 5)
        var mask = GreyImage(width: 64, height: 48)
        for y in 20..<30 { for x in 30..<40 { mask[x, y] = 255 } }
        let box = CropRegion(x1: 25, y1: 15, x2: 45, y2: 35)
        let generated = RGBAImage(width: 32, height: 32, fill: (255, 0, 0, 255))
        let out = try OverlayComposite(image: image, overlayMask: mask).composite(generated: generated, pasteTo: box)
        XCTAssertEqual(out.width, 64)
        XCTAssertEqual(out.height, 48)
        for y in 0..<48 {
            for x in 0..<64 {
                if mask[x, y] == 0 { XCTAssertTrue(out.pixel(x: x, y: y) == image.pixel(x: x, y: y)) }
                else { XCTAssertTrue(out.pixel(x: x, y: y) == (255, 0, 0, 255)) }
            }
        }
    }

    func testOverlayMaskOfTheWrongSizeIsRejected() {
        XCTAssertThrowsError(try OverlayComposite(image: RGBAImage(width: 512, height: 512), overlayMask: GreyImage(width: 300, height: 200))) {
            XCTAssertEqual("\($0)", "overlay mask: 300x200 does not match the image 512x512")
        }
    }

    func testInpaintSketchMasksTheStrokesAndBlendsTheirColour() throws {
        let original = RGBAImage(width: 40, height: 40, fill: (10, 20, 30, 255))
        var sketch = original
        for y in 15..<25 { for x in 15..<25 { sketch.setPixel(x: x, y: y, (250, 0, 0, 255)) } }
        let result = try InpaintSketch(sketch: sketch, original: original, maskTransparency: 50, maskBlur: 2)
        // Half transparency: 255·0.5 = 127.5, truncated.
        XCTAssertEqual(result.mask[20, 20], 127)
        XCTAssertEqual(result.mask[5, 5], 0)
        XCTAssertTrue(result.initImage.pixel(x: 0, y: 0) == original.pixel(x: 0, y: 0))
        let centre = result.initImage.pixel(x: 20, y: 20)
        XCTAssertGreaterThan(centre.r, 100)
        XCTAssertLessThan(centre.r, 160)
        XCTAssertThrowsError(try InpaintSketch(sketch: sketch, original: original, maskTransparency: 120))
    }

    func testPreparedWholePictureInpaintRestoresUnmaskedPixels() throws {
        let image = noiseImage(width: 64, height: 64, seed: 9)
        var maskImage = RGBAImage(width: 64, height: 64, fill: (0, 0, 0, 255))
        for y in 16..<40 { for x in 20..<44 { maskImage.setPixel(x: x, y: y, (255, 255, 255, 255)) } }
        let settings = InpaintSettings(width: 64, height: 64, blur: try MaskBlur(2), maskedContent: .fill)
        let prepared = try PreparedInpaint.prepare(image: image, maskImage: maskImage, settings: settings)
        XCTAssertNil(prepared.cropRegion)
        let generated = RGBAImage(width: 64, height: 64, fill: (0, 255, 0, 255))
        let out = try prepared.composite(generated: generated)
        // Far from the blurred edge nothing changed; deep inside everything is generated.
        XCTAssertTrue(out.pixel(x: 2, y: 2) == image.pixel(x: 2, y: 2))
        XCTAssertTrue(out.pixel(x: 32, y: 28) == (0, 255, 0, 255))
        XCTAssertTrue(prepared.initImage.pixel(x: 2, y: 2) == image.pixel(x: 2, y: 2))
    }

    func testPreparedOnlyMaskedInpaintCropsToTheExpandedBoxAndPastesBack() throws {
        let image = noiseImage(width: 200, height: 100, seed: 2)
        var maskImage = RGBAImage(width: 200, height: 100, fill: (0, 0, 0, 255))
        for y in 40..<50 { for x in 90..<130 { maskImage.setPixel(x: x, y: y, (255, 255, 255, 255)) } }
        let settings = InpaintSettings(width: 64, height: 64, blur: try MaskBlur(0), onlyMasked: true, padding: 8)
        let prepared = try PreparedInpaint.prepare(image: image, maskImage: maskImage, settings: settings)
        // bbox (90,40)-(130,50) padded by 8 → (82,32,138,58), 56x26 → square 56x56 centred: y 17…73.
        XCTAssertEqual(prepared.cropRegion, CropRegion(x1: 82, y1: 17, x2: 138, y2: 73))
        XCTAssertEqual(prepared.initImage.width, 64)
        XCTAssertEqual(prepared.samplingMask?.width, 64)
        let out = try prepared.composite(generated: RGBAImage(width: 64, height: 64, fill: (1, 2, 3, 255)))
        XCTAssertEqual(out.width, 200)
        XCTAssertTrue(out.pixel(x: 100, y: 45) == (1, 2, 3, 255))
        XCTAssertTrue(out.pixel(x: 85, y: 20) == image.pixel(x: 85, y: 20))
    }

    func testBlankMaskInOnlyMaskedFallsBackToPlainImg2img() throws {
        let image = noiseImage(width: 32, height: 32, seed: 4)
        let settings = InpaintSettings(width: 32, height: 32, blur: try MaskBlur(4), onlyMasked: true)
        let prepared = try PreparedInpaint.prepare(image: image, maskImage: RGBAImage(width: 32, height: 32), settings: settings)
        XCTAssertNil(prepared.samplingMask)
        XCTAssertEqual(prepared.initImage, image)
    }

    func testPreparationRejectsAMaskOfAnotherSize() {
        XCTAssertThrowsError(try PreparedInpaint.prepare(image: RGBAImage(width: 512, height: 512), maskImage: RGBAImage(width: 300, height: 200),
                                                         settings: InpaintSettings(width: 512, height: 512, blur: try MaskBlur(4)))) {
            XCTAssertEqual("\($0)", "mask: 300x200 does not match the image 512x512")
        }
    }
}

final class InpaintFlattenTests: XCTestCase {
    func testTransparentInitImagesAreFlattenedOntoWhiteBeforeUse() throws {
        var image = RGBAImage(width: 16, height: 16, fill: (0, 0, 0, 0))
        image.setPixel(x: 0, y: 0, (10, 20, 30, 255))
        var maskImage = RGBAImage(width: 16, height: 16, fill: (0, 0, 0, 255))
        maskImage.setPixel(x: 8, y: 8, (255, 255, 255, 255))
        let prepared = try PreparedInpaint.prepare(image: image, maskImage: maskImage,
                                                   settings: InpaintSettings(width: 16, height: 16, blur: try MaskBlur(0)))
        XCTAssertTrue(prepared.initImage.pixel(x: 5, y: 5) == (255, 255, 255, 255))
        XCTAssertTrue(prepared.initImage.pixel(x: 0, y: 0) == (10, 20, 30, 255))
    }
}

final class InpaintSketchReferenceTests: XCTestCase {
    func testInpaintSketchMatchesA1111Exactly() throws {
        let result = try InpaintSketch(sketch: try Fixtures.image("sketch_strokes.png"), original: try Fixtures.image("sketch_orig.png"),
                                       maskTransparency: 30, maskBlur: 4)
        XCTAssertEqual(result.mask, try Fixtures.grey("sketch_mask_a30.png"))
        let expected = try Fixtures.image("sketch_init_a30_b4.png")
        XCTAssertEqual(difference(result.initImage, expected).maximum, 0, "\(difference(result.initImage, expected).count) samples differ")
    }
}
