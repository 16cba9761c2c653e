import TesseraSampling
import TesseraTensor
import TesseraImaging
import TesseraPipelines
import XCTest

final class ControlNetTests: XCTestCase {
    private func hintFile() throws -> String {
        let path = PipelineFixtures.temporaryFile("hint.png")
        try PipelineFixtures.gradient().writePNG(to: path, format: .rgb8)
        return path
    }

    func testGuidanceWindowGatesExactlyTheStepsTheExtensionWould() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        var request = PipelineFixtures.request(steps: 10)
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,module=none,weight=1,guidance-start=0.3,guidance-end=0.6,image=\(try hintFile())")]
        let result = try pipeline.generate(request)
        // Call i sees sampling_step = max(i − 1, 0); progress = that / 10 must lie in [0.3, 0.6].
        XCTAssertEqual(result.controlNetCalls, [[4, 5, 6, 7]])
        XCTAssertEqual(result.modelCalls, 10)
    }

    func testFullWindowRunsOnEveryCallAndChangesTheImage() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        let plain = try pipeline.generate(PipelineFixtures.request(steps: 3))
        var request = PipelineFixtures.request(steps: 3)
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,image=\(try hintFile())")]
        let controlled = try pipeline.generate(request)
        XCTAssertEqual(controlled.controlNetCalls, [[0, 1, 2]])
        XCTAssertNotEqual(plain.image, controlled.image)
        XCTAssertTrue(controlled.parameters.extra.contains { $0.key == "ControlNet 0" && $0.value.contains("Model: controlnet_ldm_fp16") })
    }

    func testControlModesGiveDifferentImages() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        var images: [RGBAImage] = []
        for mode in ControlMode.allCases {
            var request = PipelineFixtures.request(steps: 2)
            var unit = try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,image=\(try hintFile())")
            unit.controlMode = mode
            request.controlNets = [unit]
            images.append(try pipeline.generate(request).image)
        }
        XCTAssertNotEqual(images[0], images[1])
        XCTAssertNotEqual(images[1], images[2])
    }

    func testControlNetSpecErrorsNameTheProblem() {
        XCTAssertThrowsError(try ControlNetUnit(cliSpec: "module=canny")) { XCTAssertTrue(String(describing: $0).contains("model=")) }
        XCTAssertThrowsError(try ControlNetUnit(cliSpec: "model=x,weigth=1")) { XCTAssertTrue(String(describing: $0).contains("weigth")) }
        XCTAssertThrowsError(try ControlNetUnit(cliSpec: "model=x,guidance-start=0.8,guidance-end=0.2")) {
            XCTAssertTrue(String(describing: $0).contains("guidance"))
        }
        XCTAssertThrowsError(try ControlNetUnit(cliSpec: "model=x,control-mode=loud")) {
            XCTAssertTrue(String(describing: $0).contains("Balanced"))
        }
    }

    func testMissingControlNetModelNamesTheFoldersSearched() throws {
        let dir = try PipelineFixtures.modelsDir()
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: dir))
        var request = PipelineFixtures.request(steps: 1)
        request.controlNets = [try ControlNetUnit(cliSpec: "model=no_such_net,image=\(try hintFile())")]
        XCTAssertThrowsError(try pipeline.generate(request)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("no_such_net") && text.contains("models/ControlNet"), text)
        }
    }
}

final class TileColorFixTests: XCTestCase {
    private func hintFile() throws -> String {
        let path = PipelineFixtures.temporaryFile("colorfix-hint.png")
        try PipelineFixtures.gradient().writePNG(to: path, format: .rgb8)
        return path
    }

    func testColorFixAtWeightZeroLeavesTheImageAsWithoutControl() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        let plain = try pipeline.generate(PipelineFixtures.request(steps: 2))
        var request = PipelineFixtures.request(steps: 2)
        request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,module=tile_colorfix,weight=0,image=\(try hintFile())")]
        XCTAssertEqual(try pipeline.generate(request).image, plain.image)
    }

    func testColorFixChangesTheResultOfTheSameTileUnit() throws {
        let pipeline = StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
        var images: [RGBAImage] = []
        for module in ["tile_resample", "tile_colorfix", "tile_colorfix+sharp"] {
            var request = PipelineFixtures.request(steps: 2)
            request.controlNets = [try ControlNetUnit(cliSpec: "model=controlnet_ldm_fp16,module=\(module),image=\(try hintFile())")]
            images.append(try pipeline.generate(request).image)
        }
        XCTAssertNotEqual(images[0], images[1])
        XCTAssertNotEqual(images[1], images[2])
    }

    func testLowFrequenciesOfX0ComeFromTheHintLatent() {
        // eps for a uniform x0 prediction: after the fix, x0 = blur(origin) where x0 was flat.
        let origin = Tensor(shape: [1, 1, 4, 4], data: (0..<16).map { Float($0) / 16 })
        let fix = TileColorFix(originLatent: origin, variation: 1, sharpness: nil, weight: 1)
        let alpha = DiscreteNoiseSchedule.stableDiffusion.alphasCumprod[500]
        let a = (1 / alpha).squareRoot(), b = (1 / alpha - 1).squareRoot()
        let x = Tensor(shape: [1, 1, 4, 4], repeating: 0.3)
        let eps = Tensor(shape: [1, 1, 4, 4], repeating: 0.1)
        let fixed = fix.apply(eps: eps, x: x, timestep: 500, uncondRows: [])
        let blurredOrigin = boxBlurReference(origin.data, side: 4)
        for i in 0..<16 {
            let x0 = a * x.data[i] - b * fixed.data[i]
            XCTAssertEqual(x0, blurredOrigin[i], accuracy: 1e-4)
        }
    }

    private func boxBlurReference(_ v: [Float], side: Int) -> [Float] {
        (0..<(side * side)).map { i in
            let (y, x) = (i / side, i % side)
            var sum: Float = 0
            for dy in -1...1 { for dx in -1...1 { sum += v[min(max(y + dy, 0), side - 1) * side + min(max(x + dx, 0), side - 1)] } }
            return sum / 9
        }
    }
}
