import Foundation
import TesseraImaging
import XCTest

/// `tessera txt2img | img2img | inpaint | png-info` end to end on the tiny reference models
/// (random weights: the pictures are noise, the plumbing is what is checked).
final class PipelineCommandTests: XCTestCase {
    private var dir = ""
    private var initImage = ""
    private static let models = CLIHarness.referenceModels
    private let checkpoint = PipelineCommandTests.models + "/checkpoint_ldm.safetensors"
    private let controlNet = PipelineCommandTests.models + "/controlnet_ldm_fp16.safetensors"

    override func setUpWithError() throws {
        dir = CLIHarness.temporaryDirectory(self)
        initImage = dir + "/init.png"
        var image = RGBAImage(width: 64, height: 64)
        for y in 0..<64 {
            for x in 0..<64 { image.setPixel(x: x, y: y, (UInt8(x * 4), UInt8(y * 3), UInt8((x ^ y) * 4 & 0xff), 255)) }
        }
        try image.writePNG(to: initImage, format: .rgb8)
    }

    /// Runs `tessera` and requires success.
    @discardableResult
    private func tessera(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CLIHarness.Result {
        let result = try CLIHarness.run(arguments, in: dir, timeout: 600)
        XCTAssertEqual(result.status, 0, "tessera \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result
    }

    /// Runs `tessera` expecting exactly one error line on stderr and exit status 1.
    private func failure(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try CLIHarness.run(arguments, in: dir, timeout: 600)
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderrLines.count, 1, "expected one error line, got: \(result.stderr)", file: file, line: line)
        return result.stderr
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    private func parameters(_ path: String) throws -> String { try XCTUnwrap(try PNGImage.read(path: path).parameters) }

    private var fast: [String] { ["--steps", "2", "--sampler", "Euler a", "--width", "64", "--height", "64", "--checkpoint", checkpoint] }

    // MARK: - Parameters text and reruns

    func testTxt2ImgWritesTheParametersTextAndParamsFromRerunsToTheSameBytes() throws {
        let first = dir + "/first.png", rerun = dir + "/rerun.png"
        let run = try tessera(["txt2img", "--prompt", "a (red:1.2) cat", "--negative-prompt", "blurry", "--seed", "42",
                               "--cfg-scale", "6.5", "-o", first] + fast)
        XCTAssertTrue(run.stdout.contains("Wrote \(first) (64x64, seed 42)"), run.stdout)
        let text = try parameters(first)
        XCTAssertTrue(text.hasPrefix("a (red:1.2) cat\nNegative prompt: blurry\nSteps: 2, Sampler: Euler a, Schedule type: Automatic, CFG scale: 6.5, Seed: 42, Size: 64x64, Model hash: "), text)
        XCTAssertTrue(text.contains(", Model: checkpoint_ldm,") && text.hasSuffix("Version: tessera"), text)

        let info = try tessera(["png-info", first])
        XCTAssertEqual(info.stdout, text + "\n")

        try tessera(["txt2img", "--params-from", first, "--checkpoint", checkpoint, "-o", rerun])
        XCTAssertEqual(try bytes(rerun), try bytes(first), "a rerun from the PNG info must give the identical file")
    }

    func testImg2ImgWithAControlNetUnitRerunsFromItsParametersIncludingTheUnit() throws {
        let first = dir + "/first.png", rerun = dir + "/rerun.png"
        try tessera(["img2img", "--init-image", initImage, "--prompt", "bricks", "--seed", "5", "--steps", "3",
                     "--denoising-strength", "0.5", "--sampler", "Euler a", "--width", "64", "--height", "64",
                     "--checkpoint", checkpoint, "--controlnet", "model=\(controlNet),module=tile_resample,weight=0.8,guidance-end=0.5",
                     "-o", first])
        let text = try parameters(first)
        XCTAssertTrue(text.contains("Denoising strength: 0.5"), text)
        // The unit is recorded with its model's A1111 name, not the path it was given by (its resize mode is the
        // API default), as the extension does.
        XCTAssertTrue(text.contains(#"ControlNet 0: "Module: tile_resample, Model: controlnet_ldm_fp16, Weight: 0.8, Resize Mode: Crop and Resize"#), text)
        XCTAssertTrue(text.contains("Guidance Start: 0.0, Guidance End: 0.5, Pixel Perfect: False, Control Mode: Balanced\""), text)

        // Only the init image, the checkpoint and a models folder holding the ControlNet are given again: the unit
        // comes from the PNG, its model is found by name.
        let models = dir + "/webui"
        try FileManager.default.createDirectory(atPath: models + "/models/ControlNet", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: models + "/models/ControlNet/controlnet_ldm_fp16.safetensors", withDestinationPath: controlNet)
        try tessera(["img2img", "--init-image", initImage, "--params-from", first, "--models-dir", models, "--checkpoint", checkpoint, "-o", rerun])
        XCTAssertEqual(try parameters(rerun), text)
        XCTAssertEqual(try bytes(rerun), try bytes(first))
    }

    func testAnA1111InfotextWithAControlNetUnitIsRerunWithTheModelLookedUpByTitle() throws {
        // What A1111 + sd-webui-controlnet write (extra unit fields such as Low Vram are ignored).
        let models = dir + "/webui"
        try FileManager.default.createDirectory(atPath: models + "/models/ControlNet", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: models + "/models/ControlNet/controlnet_ldm_fp16.safetensors", withDestinationPath: controlNet)
        let unit = "Module: tile_resample, Model: controlnet_ldm_fp16 [a371b31b], Weight: 0.6, Resize Mode: Crop and Resize, "
            + "Low Vram: False, Processor Res: 512, Threshold A: 1, Threshold B: 0.5, Guidance Start: 0.1, Guidance End: 0.9, "
            + "Pixel Perfect: False, Control Mode: My prompt is more important, Hr Option: Both, Save Detected Map: True"
        let text = "a stone wall\nNegative prompt: blurry\nSteps: 3, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 77, "
            + "Size: 64x64, Model hash: 0123456789, Model: checkpoint_ldm, Denoising strength: 0.6, ControlNet 0: \"\(unit)\", Version: v1.10.1"
        let recorded = dir + "/a1111.png"
        try PNGImage.read(path: initImage).rgba8.writePNG(to: recorded, format: .rgb8, textChunks: [PNGTextChunk.parameters(text)])

        let out = dir + "/rerun.png"
        try tessera(["img2img", "--init-image", initImage, "--params-from", recorded, "--models-dir", models, "--checkpoint", checkpoint, "-o", out])
        let rerun = try parameters(out)
        XCTAssertTrue(rerun.contains(#"ControlNet 0: "Module: tile_resample, Model: controlnet_ldm_fp16 [a371b31b], Weight: 0.6, Resize Mode: Crop and Resize, Processor Res: 512, Threshold A: 1.0, Threshold B: 0.5, Guidance Start: 0.1, Guidance End: 0.9, Pixel Perfect: False, Control Mode: My prompt is more important""#), rerun)
        XCTAssertTrue(rerun.hasPrefix("a stone wall\nNegative prompt: blurry\nSteps: 3, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 77, Size: 64x64,"), rerun)
    }

    func testPixelPerfectSetsTheCannyResolutionFromTheRenderSize() throws {
        // A 64×64 control image rendered at 64×64: Pixel Perfect runs canny at 64, like processor-res=64.
        func render(_ unit: String, _ name: String) throws -> RGBAImage {
            let path = dir + "/\(name).png"
            try tessera(["txt2img", "--prompt", "edges", "--seed", "3", "--controlnet", "model=\(controlNet),module=canny,image=\(initImage)," + unit,
                         "-o", path] + fast)
            return try PNGImage.read(path: path).rgba8
        }
        let perfect = try render("pixel-perfect=true", "perfect")
        XCTAssertEqual(perfect, try render("processor-res=64", "res64"))
        XCTAssertNotEqual(perfect, try render("processor-res=512", "res512"))
        XCTAssertTrue(try parameters(dir + "/perfect.png").contains("Pixel Perfect: True"))
    }

    func testColourCorrectionPullsTheResultsColoursTowardsTheInitImage() throws {
        func meanColourDistance(_ path: String) throws -> Double {
            let image = try PNGImage.read(path: path).rgba8, original = try PNGImage.read(path: initImage).rgba8
            var total = 0.0
            for c in 0..<3 {
                let mean = { (i: RGBAImage) in Double(stride(from: c, to: i.pixels.count, by: 4).reduce(0) { $0 + Int(i.pixels[$1]) }) / Double(i.width * i.height) }
                total += abs(mean(image) - mean(original))
            }
            return total
        }
        let plain = dir + "/plain.png", corrected = dir + "/corrected.png"
        let common = ["img2img", "--init-image", initImage, "--prompt", "a field", "--seed", "4", "--denoising-strength", "0.9"] + fast
        try tessera(common + ["-o", plain])
        try tessera(common + ["--color-correction", "-o", corrected])
        XCTAssertLessThan(try meanColourDistance(corrected), try meanColourDistance(plain) / 2)
    }

    // MARK: - Inpaint

    func testInpaintKeepsEveryPixelOutsideTheBlurredMaskAndRerunsIdentically() throws {
        let mask = dir + "/mask.png", out = dir + "/out.png", rerun = dir + "/rerun.png"
        var maskImage = RGBAImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<24 { maskImage.setPixel(x: x, y: y, (255, 255, 255, 255)) } }
        try maskImage.writePNG(to: mask, format: .rgb8)
        try tessera(["inpaint", "--init-image", initImage, "--mask", mask, "--prompt", "a window", "--seed", "9",
                     "--denoising-strength", "0.9", "--mask-blur", "4", "-o", out] + fast)
        let original = try PNGImage.read(path: initImage).rgba8, result = try PNGImage.read(path: out).rgba8
        // Blur 4 is a 21-tap kernel: the mask reaches 10 px past column 23, nothing beyond.
        var changedInside = 0
        for y in 0..<64 {
            for x in 0..<64 {
                if x >= 34 {
                    XCTAssertTrue(original.pixel(x: x, y: y) == result.pixel(x: x, y: y), "pixel (\(x), \(y)) outside the mask changed")
                } else if x < 14, original.pixel(x: x, y: y) != result.pixel(x: x, y: y) {
                    changedInside += 1
                }
            }
        }
        XCTAssertGreaterThan(changedInside, 64 * 14 / 2, "the masked area should be repainted")
        let text = try parameters(out)
        XCTAssertTrue(text.contains("Denoising strength: 0.9, RNG: NV, Mask blur: 4, Version: tessera"), text)

        try tessera(["inpaint", "--init-image", initImage, "--mask", mask, "--params-from", out, "--checkpoint", checkpoint, "-o", rerun])
        XCTAssertEqual(try bytes(rerun), try bytes(out))
    }

    // MARK: - Batches

    func testBatchesWriteOneFilePerImageWithSeedPlusIndexAndEachRerunsAlone() throws {
        let run = try tessera(["txt2img", "--prompt", "a cat", "--seed", "100", "--batch-size", "2", "--batch-count", "2",
                               "-o", dir + "/cat.png"] + fast)
        var images: [RGBAImage] = []
        for k in 0..<4 {
            let path = dir + "/cat-0000\(k)-\(100 + k).png"
            XCTAssertTrue(run.stdout.contains("Wrote \(path) (64x64, seed \(100 + k))"), run.stdout)
            let text = try parameters(path)
            XCTAssertTrue(text.contains(", Seed: \(100 + k), Size: 64x64,"), text)
            XCTAssertFalse(text.contains("Batch"), "A1111 1.6+ writes no batch keys: \(text)")
            images.append(try PNGImage.read(path: path).rgba8)
        }
        XCTAssertEqual(Set(images.map(\.pixels)).count, 4, "every image of the job has its own noise")

        // The second image of the second batch, alone, from its own PNG info: the same picture.
        // Not bit for bit: a batch of 2 runs the UNet's matrix products on twice the rows, which
        // rounds a few float32 sums differently (A1111 on a GPU behaves the same way).
        let alone = dir + "/alone.png"
        try tessera(["txt2img", "--params-from", dir + "/cat-00003-103.png", "--checkpoint", checkpoint, "-o", alone])
        let single = try PNGImage.read(path: alone).rgba8
        var largest = 0, differing = 0
        for (a, b) in zip(single.pixels, images[3].pixels) where a != b {
            largest = max(largest, abs(Int(a) - Int(b)))
            differing += 1
        }
        XCTAssertLessThanOrEqual(largest, 2)
        XCTAssertLessThan(differing, single.pixels.count / 50)
    }

    func testAVariationSeedBatchKeepsTheSeedAndCountsTheVariationSeed() throws {
        try tessera(["txt2img", "--prompt", "a dog", "--seed", "7", "--subseed", "50", "--subseed-strength", "0.5",
                     "--batch-size", "2", "-o", dir + "/dog.png"] + fast)
        for k in 0..<2 {
            let text = try parameters(dir + "/dog-0000\(k)-7.png")
            XCTAssertTrue(text.contains(", Seed: 7, Size: 64x64,") && text.contains("Variation seed: \(50 + k), Variation seed strength: 0.5"), text)
        }
    }

    // MARK: - VAE override

    func testAVAEFromTheModelsFolderIsUsedAndRecordedAsA1111Does() throws {
        let models = dir + "/webui"
        try FileManager.default.createDirectory(atPath: models + "/models/VAE", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: models + "/models/VAE/tiny-vae.safetensors",
                                                   withDestinationPath: Self.models + "/vae/diffusion_pytorch_model.safetensors")
        let plain = dir + "/plain.png", withVAE = dir + "/vae.png", rerun = dir + "/rerun.png"
        try tessera(["txt2img", "--prompt", "a boat", "--seed", "11", "-o", plain] + fast)
        try tessera(["txt2img", "--prompt", "a boat", "--seed", "11", "--models-dir", models, "--vae", "tiny-vae", "-o", withVAE] + fast)
        let text = try parameters(withVAE)
        let hash = try XCTUnwrap(text.range(of: #"VAE hash: [0-9a-f]{10}, VAE: tiny-vae\.safetensors, "#, options: .regularExpression), text)
        XCTAssertTrue(text[hash.lowerBound...].contains("RNG"), "VAE keys sit before RNG in A1111's order: \(text)")
        XCTAssertFalse(try parameters(plain).contains("VAE"))
        // The separate VAE file holds the same (fp16-exact) weights as the checkpoint's VAE.
        XCTAssertEqual(try PNGImage.read(path: withVAE).rgba8, try PNGImage.read(path: plain).rgba8)

        try tessera(["txt2img", "--params-from", withVAE, "--models-dir", models, "--checkpoint", checkpoint, "-o", rerun])
        XCTAssertEqual(try bytes(rerun), try bytes(withVAE))
    }

    func testAFileThatIsNotAVAEIsOneClearError() throws {
        let error = try failure(["txt2img", "--prompt", "x", "--vae", Self.models + "/lora_kohya.safetensors", "-o", dir + "/x.png"] + fast)
        XCTAssertTrue(error.contains("VAE") && error.contains("lora_kohya.safetensors"), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    // MARK: - Bad input: one clear line, exit status 1

    func testAMaskOfAnotherSizeIsOneErrorNamingBothFiles() throws {
        let mask = dir + "/small-mask.png"
        try RGBAImage(width: 32, height: 64, fill: (255, 255, 255, 255)).writePNG(to: mask, format: .rgb8)
        let error = try failure(["inpaint", "--init-image", initImage, "--mask", mask, "--prompt", "x", "-o", dir + "/x.png"] + fast)
        XCTAssertTrue(error.contains("small-mask.png") && error.contains("32x64") && error.contains("64x64"), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    func testAnUnknownSamplerIsOneErrorListingTheKnownOnes() throws {
        let error = try failure(["txt2img", "--prompt", "x", "-o", dir + "/x.png"] + fast + ["--sampler", "Euler b"])
        XCTAssertTrue(error.contains("'Euler b'") && error.contains("Euler a") && error.contains("DPM++ 2M") && error.contains("DDIM"), error)
    }

    func testAMissingLoRAIsOneErrorNamingItAndTheFoldersSearched() throws {
        let models = dir + "/webui"
        try FileManager.default.createDirectory(atPath: models + "/models/Lora", withIntermediateDirectories: true)
        let error = try failure(["txt2img", "--prompt", "a cat <lora:not_here:0.7>", "--models-dir", models, "-o", dir + "/x.png"] + fast)
        XCTAssertTrue(error.contains("'not_here'") && error.contains(models + "/models/Lora") && error.contains(models + "/models/LyCORIS"), error)
    }

    func testAMalformedPromptWeightIsOneErrorQuotingThePrompt() throws {
        let error = try failure(["txt2img", "--prompt", "a (cat:1.2.3) on a mat", "-o", dir + "/x.png"] + fast)
        XCTAssertTrue(error.contains("(cat:1.2.3)") && error.contains("'1.2.3'") && error.contains("not a number"), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    func testABatchSizeOutsideA1111sRangeIsOneError() throws {
        let error = try failure(["txt2img", "--prompt", "x", "--batch-size", "9", "-o", dir + "/x.png"] + fast)
        XCTAssertTrue(error.contains("batch_size") && error.contains("9"), error)
    }

    func testParamsFromAPNGWithoutParametersIsOneErrorNamingIt() throws {
        let error = try failure(["txt2img", "--params-from", initImage, "--checkpoint", checkpoint, "-o", dir + "/x.png"])
        XCTAssertTrue(error.contains(initImage) && error.contains("parameters"), error)
    }

    func testInpaintSketchRepaintsOnlyNearTheStrokesAndSketchNeedsTheImageSize() throws {
        let strokes = dir + "/strokes.png", out = dir + "/sketched.png"
        var layer = RGBAImage(width: 64, height: 64, fill: (0, 0, 0, 0))
        for y in 20..<30 { for x in 4..<14 { layer.setPixel(x: x, y: y, (255, 0, 0, 255)) } }
        try layer.writePNG(to: strokes, format: .rgba8)
        try tessera(["inpaint", "--init-image", initImage, "--sketch", strokes, "--prompt", "a red door", "--seed", "3",
                     "--denoising-strength", "0.8", "--mask-blur", "2", "-o", out] + fast)
        let original = try PNGImage.read(path: initImage).rgba8, result = try PNGImage.read(path: out).rgba8
        // Strokes span x 4…13, y 20…29; blur 2 (a Pillow radius for the canvas, an 11-tap kernel for the mask)
        // reaches at most 6 px further.
        for y in 0..<64 {
            for x in 0..<64 where x >= 20 || y < 14 || y >= 36 {
                XCTAssertTrue(original.pixel(x: x, y: y) == result.pixel(x: x, y: y), "pixel (\(x), \(y)) far from the strokes changed")
            }
        }
        XCTAssertNotEqual(original.pixel(x: 8, y: 25).r, result.pixel(x: 8, y: 25).r, "the stroked area is repainted")

        try RGBAImage(width: 32, height: 32).writePNG(to: strokes, format: .rgba8)
        let error = try failure(["img2img", "--init-image", initImage, "--sketch", strokes, "-o", dir + "/x.png"] + fast)
        XCTAssertTrue(error.contains("--sketch") && error.contains("32x32"), error)
        let both = try failure(["inpaint", "--init-image", initImage, "--sketch", strokes, "--mask", strokes, "-o", dir + "/y.png"] + fast)
        XCTAssertTrue(both.contains("not both"), both)
    }
}
