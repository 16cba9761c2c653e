import TesseraImageOps
import TesseraImaging
import XCTest

final class ControlNetPreprocessorTests: XCTestCase {
    func testCannyMatchesOpenCV() throws {
        let source = try Fixtures.image("edges_source.png")
        for (low, high) in [(100.0, 200.0), (20.0, 60.0)] {
            let expected = try Fixtures.grey("canny_\(Int(low))_\(Int(high)).png")
            let actual = try CannyEdgeDetector(lowThreshold: low, highThreshold: high).apply(source)
            let diff = difference(actual, expected)
            XCTAssertEqual(diff.count, 0, "canny \(low)/\(high): \(diff.count / 3) pixels differ")
        }
    }

    func testCannyFindsTheOutlineOfASquareAndNothingElse() throws {
        var image = RGBAImage(width: 40, height: 40, fill: (0, 0, 0, 255))
        for y in 10..<30 { for x in 10..<30 { image.setPixel(x: x, y: y, (200, 200, 200, 255)) } }
        let edges = try CannyEdgeDetector().apply(image)
        XCTAssertEqual(edges[20, 20], 0)
        XCTAssertEqual(edges[2, 2], 0)
        // Edges lie on the boundary band (one pixel either side of it).
        for y in 0..<40 {
            for x in 0..<40 where edges[x, y] == 255 {
                let nearVertical = (9...10).contains(x) || (29...30).contains(x)
                let nearHorizontal = (9...10).contains(y) || (29...30).contains(y)
                XCTAssertTrue(nearVertical || nearHorizontal, "edge at \(x),\(y)")
            }
        }
        XCTAssertTrue((12..<28).allSatisfy { edges[$0, 9] == 255 || edges[$0, 10] == 255 }, "top side found")
    }

    func testHigherCannyThresholdsNeverAddEdges() throws {
        let source = try Fixtures.image("edges_source.png")
        var previous = Int.max
        for high in stride(from: 40.0, through: 400, by: 60) {
            let count = try CannyEdgeDetector(lowThreshold: high / 2, highThreshold: high).apply(source).pixels.filter { $0 == 255 }.count
            XCTAssertLessThanOrEqual(count, previous)
            previous = count
        }
    }

    func testXDoGMatchesTheExtensionFormula() throws {
        let source = try Fixtures.image("edges_source.png")
        let expected = try Fixtures.grey("xdog_32.png")
        let actual = try XDoG(threshold: 32).apply(source)
        let diff = difference(actual, expected)
        XCTAssertEqual(diff.count, 0, "\(diff.count / 3) pixels differ")
    }

    func testOpenCVResizeMatchesOpenCVWithoutIPP() throws {
        let source = try Fixtures.image("cv_source.png")
        let cubic = try OpenCVResize.resize(source, width: 70, height: 50, interpolation: .cubic)
        XCTAssertEqual(difference(cubic, try Fixtures.image("cv_cubic_70x50.png")).maximum, 0)
        let area = try OpenCVResize.resize(source, width: 20, height: 14, interpolation: .area)
        XCTAssertEqual(difference(area, try Fixtures.image("cv_area_20x14.png")).maximum, 0)
    }

    func testNamesResolveWithExtensionDefaults() throws {
        XCTAssertEqual(try ControlNetPreprocessor(name: "canny"), .canny(lowThreshold: 100, highThreshold: 200, resolution: 512))
        XCTAssertEqual(try ControlNetPreprocessor(name: "scribble_xdog", resolution: 768, thresholdA: 20),
                       .scribbleXDoG(threshold: 20, resolution: 768))
        XCTAssertEqual(try ControlNetPreprocessor(name: "tile_resample", thresholdA: 99), .tileResample(downSamplingRate: 1))
        XCTAssertEqual(try ControlNetPreprocessor(name: "tile_colorfix+sharp"), .tileColorfixSharp(variation: 8, sharpness: 1))
        for name in ControlNetPreprocessor.knownNames { XCTAssertEqual(try ControlNetPreprocessor(name: name).name, name) }
    }

    func testUnknownPreprocessorListsTheKnownOnes() {
        XCTAssertThrowsError(try ControlNetPreprocessor(name: "depth_midas")) { error in
            XCTAssertEqual("\(error)", "unknown ControlNet preprocessor \"depth_midas\"; known: none, invert, tile_resample, tile_colorfix, tile_colorfix+sharp, canny, scribble_xdog, blur_gaussian")
        }
    }

    func testInvertAndTileResample() throws {
        let image = noiseImage(width: 50, height: 30, seed: 8)
        let inverted = try ControlNetPreprocessor.invert.apply(image)
        XCTAssertTrue(inverted.pixel(x: 3, y: 4).r == 255 - image.pixel(x: 3, y: 4).r)
        XCTAssertEqual(try ControlNetPreprocessor.tileResample(downSamplingRate: 1.05).apply(image), image)
        let small = try ControlNetPreprocessor.tileResample(downSamplingRate: 2.5).apply(image)
        XCTAssertEqual(small.width, 20)
        XCTAssertEqual(small.height, 12)
    }

    func testCannyPreprocessorKeepsTheAspectAtTheResolution() throws {
        let image = noiseImage(width: 60, height: 40, seed: 1)
        let map = try ControlNetPreprocessor.canny(lowThreshold: 100, highThreshold: 200, resolution: 80).apply(image)
        XCTAssertEqual(map.width, 120)
        XCTAssertEqual(map.height, 80)
    }

    func testPixelPerfectResolutionFollowsTheExtension() {
        // 1024x768 image into a 512x512 hint: k0 = 0.667, k1 = 0.5; crop uses max → 512, fill uses min → 384.
        XCTAssertEqual(ControlHintGeometry.pixelPerfectResolution(imageWidth: 1024, imageHeight: 768, targetWidth: 512, targetHeight: 512,
                                                                  mode: .cropAndResize), 512)
        XCTAssertEqual(ControlHintGeometry.pixelPerfectResolution(imageWidth: 1024, imageHeight: 768, targetWidth: 512, targetHeight: 512,
                                                                  mode: .resizeAndFill), 384)
        XCTAssertTrue(ControlHintGeometry.targetSize(width: 517, height: 300) == (512, 296))
    }

    func testHintResizeModesPlaceTheMapLikeDetectmapProc() throws {
        // A 40x20 map with 256 grey levels (not a palette map) into 32x32.
        var map = RGBAImage(width: 40, height: 20)
        for y in 0..<20 { for x in 0..<40 { let v = UInt8((x * 6 + y) % 256); map.setPixel(x: x, y: y, (v, v, v, 255)) } }
        let crop = try ControlHintGeometry.fit(map, width: 32, height: 32, mode: .cropAndResize)
        XCTAssertEqual(crop.width, 32)
        XCTAssertEqual(crop.height, 32)
        let fill = try ControlHintGeometry.fit(map, width: 32, height: 32, mode: .resizeAndFill)
        XCTAssertEqual(fill.width, 32)
        // Fill: the 32x16 map sits at rows 8…23; the bars carry the border median.
        let border = fill.pixel(x: 0, y: 0)
        XCTAssertTrue(fill.pixel(x: 31, y: 31) == border)
        XCTAssertTrue(fill.pixel(x: 16, y: 7) == border)
        let just = try ControlHintGeometry.fit(map, width: 32, height: 32, mode: .justResize)
        XCTAssertEqual(just.height, 32)
    }

    func testBinaryEdgeMapsStayBinaryAfterResize() throws {
        let source = try Fixtures.image("edges_source.png")
        let edges = try ControlNetPreprocessor.canny(lowThreshold: 100, highThreshold: 200, resolution: 64).apply(source)
        let hint = try ControlHintGeometry.fit(edges, width: 96, height: 96, mode: .justResize)
        XCTAssertTrue(hint.pixels.enumerated().allSatisfy { $0.offset % 4 == 3 || $0.element == 0 || $0.element == 255 })
        XCTAssertTrue(hint.pixels.contains(255))
    }

    func testResizeModeAliasesAreAccepted() throws {
        XCTAssertEqual(try ControlResizeMode(apiValue: "Inner Fit (Scale to Fit)"), .cropAndResize)
        XCTAssertEqual(try ControlResizeMode(apiValue: "Envelope (Outer Fit)"), .resizeAndFill)
        XCTAssertEqual(try ControlResizeMode(apiValue: "3"), .justResize)
        XCTAssertEqual(ControlResizeMode(a1111: .latentUpscale), .justResize)
        XCTAssertThrowsError(try ControlResizeMode(apiValue: "Stretch"))
    }
}

final class ControlMapResizeTests: XCTestCase {
    func testOnePixelEdgeMapsAreResizedThinnedAndBinarisedLikeTheExtension() throws {
        let edges = try CannyEdgeDetector().apply(try Fixtures.image("edges_source.png")).rgba
        for size in [96, 40] {
            let expected = try Fixtures.image("hq_resize_canny_\(size)x\(size).png")
            let actual = try ControlMapResize.resize(edges, width: size, height: size)
            let diff = difference(actual, expected)
            XCTAssertEqual(diff.count, 0, "\(size)x\(size): \(diff.count / 3) pixels differ")
        }
    }
}
