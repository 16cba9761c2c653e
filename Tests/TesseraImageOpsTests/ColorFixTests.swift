import TesseraImageOps
import TesseraImaging
import XCTest

final class ColorFixTests: XCTestCase {
    private func smooth(width: Int, height: Int, tint: (Float, Float, Float)) throws -> FloatRGBImage {
        var planes = [[Float]](repeating: [], count: 3)
        for channel in 0..<3 {
            let t = [tint.0, tint.1, tint.2][channel]
            planes[channel] = (0..<(width * height)).map { index in
                let x = Float(index % width), y = Float(index / width)
                return t + 0.1 * sin(x / 9) * cos(y / 11)
            }
        }
        return try FloatRGBImage(width: width, height: height, planes: planes)
    }

    private func checker(width: Int, height: Int) throws -> FloatRGBImage {
        let plane = (0..<(width * height)).map { index -> Float in ((index % width) + (index / width)) % 2 == 0 ? 0.05 : -0.05 }
        return try FloatRGBImage(width: width, height: height, planes: [plane, plane, plane])
    }

    func testWaveletFixAgainstItselfIsIdentityWithinTruncation() throws {
        let image = noiseImage(width: 48, height: 40, seed: 21)
        let fixed = try WaveletColorFix.apply(target: image, reference: image)
        XCTAssertLessThanOrEqual(difference(fixed, image).maximum, 1)
    }

    func testWaveletKeepsTargetDetailAndReferenceColour() throws {
        let detail = try checker(width: 64, height: 64)
        let base = try smooth(width: 64, height: 64, tint: (0.5, 0.5, 0.5))
        let reference = try smooth(width: 64, height: 64, tint: (0.2, 0.6, 0.8))
        var target = base
        for channel in 0..<3 { for index in 0..<(64 * 64) { target.planes[channel][index] += detail.planes[channel][index] } }
        let fixed = try WaveletColorFix.apply(target: target, reference: reference)
        let (fixedHigh, fixedLow) = WaveletColorFix.decompose(fixed)
        let (targetHigh, _) = WaveletColorFix.decompose(target)
        let (_, referenceLow) = WaveletColorFix.decompose(reference)
        for channel in 0..<3 {
            let meanFixed = fixed.planes[channel].reduce(0, +) / Float(64 * 64)
            let meanReference = reference.planes[channel].reduce(0, +) / Float(64 * 64)
            XCTAssertEqual(meanFixed, meanReference, accuracy: 0.01, "channel \(channel) colour comes from the reference")
            // The checkerboard (Nyquist detail) survives: neighbours still alternate by ~0.1.
            let step = fixed.planes[channel][1] - fixed.planes[channel][0]
            XCTAssertEqual(abs(step), 0.1, accuracy: 0.03)
            let highError = zip(fixedHigh.planes[channel], targetHigh.planes[channel]).map { abs($0 - $1) }.max()!
            let lowError = zip(fixedLow.planes[channel], referenceLow.planes[channel]).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(highError, 0.05)
            XCTAssertLessThan(lowError, 0.05)
        }
    }

    func testAdaINMatchesTheReferenceMeanAndStd() throws {
        let target = FloatRGBImage(noiseImage(width: 40, height: 30, seed: 4))
        let reference = try smooth(width: 40, height: 30, tint: (0.3, 0.5, 0.7))
        let fixed = try AdaINColorFix.apply(target: target, reference: reference)
        for channel in 0..<3 {
            let got = AdaINColorFix.statistics(fixed.planes[channel])
            let want = AdaINColorFix.statistics(reference.planes[channel])
            XCTAssertEqual(got.mean, want.mean, accuracy: 1e-4)
            XCTAssertEqual(got.std, want.std, accuracy: 1e-3)
        }
    }

    func testAdaINAgainstItselfIsIdentityWithinTruncation() throws {
        let image = noiseImage(width: 30, height: 20, seed: 6)
        XCTAssertLessThanOrEqual(difference(try AdaINColorFix.apply(target: image, reference: image), image).maximum, 1)
    }

    func testColourFixRejectsAReferenceOfAnotherSize() {
        XCTAssertThrowsError(try WaveletColorFix.apply(target: RGBAImage(width: 512, height: 512), reference: RGBAImage(width: 300, height: 200))) {
            XCTAssertEqual("\($0)", "colour fix reference: 300x200 does not match the image 512x512")
        }
    }
}
