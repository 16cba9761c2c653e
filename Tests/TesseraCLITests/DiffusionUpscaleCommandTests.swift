import Foundation
import TesseraImaging
import XCTest

/// `tessera upscale … --checkpoint …` end to end on the tiny reference models.
final class DiffusionUpscaleCommandTests: XCTestCase {
    private var dir = ""
    private var input = ""
    private let models = CLIHarness.referenceModels

    override func setUpWithError() throws {
        dir = CLIHarness.temporaryDirectory(self)
        input = dir + "/in.png"
        try CLIHarness.writeGradientPNG(width: 64, height: 64, yStep: 3, to: input)
    }

    private func arguments(output: String, checkpoint: String? = nil) -> [String] {
        ["upscale", input, "--scale", "2", "--tile", "64", "--padding", "16",
         "--checkpoint", checkpoint ?? models + "/checkpoint_ldm.safetensors", "--prompt", "a brick wall",
         "--denoising-strength", "0.5", "--steps", "4", "--sampler", "Euler a", "--seed", "1",
         "--controlnet-tile", models + "/controlnet_ldm_fp16.safetensors", "-o", output]
    }

    func testTwoLocalWorkersWriteTheSameImageAsOneProcess() throws {
        let single = dir + "/single.png", local = dir + "/local.png"
        let one = try CLIHarness.run(arguments(output: single), in: dir, timeout: 600)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("Wrote \(single) (128x128, 4 tiles)"), one.stdout)
        let two = try CLIHarness.run(arguments(output: local) + ["--local", "2"], in: dir, timeout: 600)
        XCTAssertEqual(two.status, 0, two.stderr)
        let a = try PNGImage.read(path: single), b = try PNGImage.read(path: local)
        XCTAssertEqual(a.rgba8, b.rgba8)
        XCTAssertEqual(a.parameters, b.parameters)
        let parameters = try XCTUnwrap(a.parameters)
        XCTAssertTrue(parameters.hasPrefix("a brick wall\nSteps: 4, Sampler: Euler a, CFG scale: 7, Seed: 1"), parameters)
        XCTAssertTrue(parameters.contains("Denoising strength: 0.5"), parameters)
    }

    func testAMissingCheckpointIsOneClearLineNamingIt() throws {
        let r = try CLIHarness.run(arguments(output: dir + "/x.png", checkpoint: dir + "/missing.safetensors"), in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.safetensors"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    func testDiffusionSettingsWithoutACheckpointAreRefused() throws {
        let r = try CLIHarness.run(["upscale", input, "--prompt", "x", "-o", dir + "/y.png"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--prompt") && r.stderr.contains("--checkpoint"), r.stderr)
    }

    func testTileColorfixWithItsSlidersIsRecordedInTheParametersText() throws {
        let output = dir + "/colorfix.png"
        let r = try CLIHarness.run(
            arguments(output: output) + ["--controlnet-tile-module", "tile_colorfix+sharp", "--controlnet-tile-threshold-a", "16",
                                         "--controlnet-tile-threshold-b", "0.5"], in: dir, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        let parameters = try XCTUnwrap(try PNGImage.read(path: output).parameters)
        XCTAssertTrue(parameters.contains("Module: tile_colorfix+sharp, Model: controlnet_ldm_fp16, Weight: 1, Threshold A: 16, Threshold B: 0.5, Guidance Start: 0"), parameters)
    }

    func testTileControlNetFlagsWithoutATileControlNetAreRefused() throws {
        let r = try CLIHarness.run(
            ["upscale", input, "--checkpoint", models + "/checkpoint_ldm.safetensors", "--controlnet-tile-threshold-a", "4",
             "-o", dir + "/z.png"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--controlnet-tile-threshold-a") && r.stderr.contains("--controlnet-tile"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/z.png"))
    }

    func testATiledDiffusionJobWhoseWholeSourceCannotBeShippedFailsWithOneClearError() throws {
        // Tiled diffusion stages need the whole source on each worker: 4200×4104 RGBA is over the 64 MiB payload limit.
        let big = dir + "/big.png"
        try RGBAImage(width: 4200, height: 4104).writePNG(to: big, format: .rgb8)
        let r = try CLIHarness.run(
            ["upscale", big, "--scale", "1", "--tiled-diffusion", "multidiffusion", "--checkpoint", models + "/checkpoint_ldm.safetensors",
             "--steps", "2", "--denoising-strength", "0.3", "--local", "1", "-o", dir + "/td.png"], in: dir, timeout: 120)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("does not fit in one message") && r.stderr.contains("whole source"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/td.png"))
    }
}
