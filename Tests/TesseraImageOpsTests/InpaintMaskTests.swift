@testable import TesseraImageOps
import TesseraImaging
import XCTest

final class InpaintMaskTests: XCTestCase {
    func testOpaqueMaskImagesUseLuminance() {
        var image = RGBAImage(width: 2, height: 1, fill: (255, 255, 255, 255))
        image.setPixel(x: 1, y: 0, (255, 0, 0, 255))
        let mask = InpaintMask(image: image).mask
        // Pillow L: (255·19595 + 0x8000) >> 16 = 76 for pure red.
        XCTAssertEqual(mask.pixels, [255, 76])
    }

    func testTransparentMaskImagesUseThresholdedAlpha() {
        var image = RGBAImage(width: 3, height: 1, fill: (0, 0, 0, 0))
        image.setPixel(x: 1, y: 0, (0, 0, 0, 128))
        image.setPixel(x: 2, y: 0, (0, 0, 0, 129))
        XCTAssertEqual(InpaintMask(image: image).mask.pixels, [0, 0, 255])
        XCTAssertEqual(InpaintMask(image: image, round: false).mask.pixels, [0, 128, 129])
    }

    func testInpaintNotMaskedInvertsTheMask() throws {
        let mask = InpaintMask(try GreyImage(width: 3, height: 1, pixels: [0, 100, 255]))
        XCTAssertEqual(mask.inverted.mask.pixels, [255, 155, 0])
    }

    func testMaskSizeMismatchIsReportedWithBothSizes() {
        let mask = InpaintMask(GreyImage(width: 300, height: 200))
        XCTAssertThrowsError(try mask.checkMatches(RGBAImage(width: 512, height: 512))) { error in
            XCTAssertEqual("\(error)", "mask: 300x200 does not match the image 512x512")
        }
    }

    func testMaskBlurKernelSizesFollowA1111() {
        XCTAssertEqual(MaskBlur.kernelSize(for: 4), 21)
        XCTAssertEqual(MaskBlur.kernelSize(for: 8), 41)
        XCTAssertEqual(MaskBlur.kernelSize(for: 1), 7)
    }

    func testMaskBlurMatchesOpenCVBitExactly() throws {
        let source = try Fixtures.grey("mask_source.png")
        for (x, y) in [(4.0, 4.0), (2.0, 6.0)] {
            let expected = try Fixtures.grey("mask_blur_\(Int(x))_\(Int(y)).png")
            let actual = try MaskBlur(x: x, y: y).apply(source)
            let diff = difference(actual, expected)
            XCTAssertEqual(diff.maximum, 0, "blur \(x),\(y): \(diff.count) samples differ")
        }
    }

    func testMaskBlurFixedPointKernelSumsToOneAndIsSymmetric() {
        for sigma in [1.0, 4.0, 8.0, 32.0] {
            let kernel = MaskBlurProbe.kernel(sigma)
            XCTAssertEqual(kernel.reduce(0, +), 256)
            XCTAssertEqual(kernel, kernel.reversed())
        }
    }

    func testZeroBlurLeavesTheMaskAlone() throws {
        let mask = try Fixtures.grey("mask_source.png")
        XCTAssertEqual(try MaskBlur(0).apply(mask), mask)
    }

    func testNegativeBlurIsRejected() {
        XCTAssertThrowsError(try MaskBlur(x: -1, y: 0)) { error in
            XCTAssertTrue("\(error)".hasPrefix("mask_blur_x:"), "\(error)")
        }
    }
}

/// Access to the internal kernel builder.
enum MaskBlurProbe {
    static func kernel(_ sigma: Double) -> [Int] {
        MaskBlur.fixedPointKernel(size: MaskBlur.kernelSize(for: sigma), sigma: sigma)
    }
}

final class LatentMaskTests: XCTestCase {
    func testLatentMaskIsTheBinarisedEighthSizeMask() throws {
        var mask = GreyImage(width: 64, height: 64)
        for y in 0..<64 { for x in 32..<64 { mask[x, y] = 255 } }
        let latent = try LatentMask(mask: mask, latentWidth: 8, latentHeight: 8)
        XCTAssertEqual(Array(latent.values[0..<8]), [0, 0, 0, 0, 1, 1, 1, 1])
        XCTAssertEqual(latent.planes().count, 4 * 64)
        let soft = try LatentMask(mask: GreyImage(width: 16, height: 16, value: 100), latentWidth: 2, latentHeight: 2, round: false)
        XCTAssertEqual(soft.values[0], Float(100) / 255)
        let rounded = try LatentMask(mask: GreyImage(width: 16, height: 16, value: 100), latentWidth: 2, latentHeight: 2)
        XCTAssertEqual(rounded.values, [0, 0, 0, 0])
    }
}
