import Foundation
import TesseraImaging
import XCTest

/// `tessera upscale --tile-mode usdu --seams-fix …` end to end on the tiny reference models.
final class USDUUpscaleCommandTests: XCTestCase {
    private var dir = ""
    private var input = ""
    private let models = CLIHarness.referenceModels

    override func setUpWithError() throws {
        dir = CLIHarness.temporaryDirectory(self)
        input = dir + "/in.png"
        try CLIHarness.writeGradientPNG(width: 64, height: 48, yStep: 5, to: input)
    }

    private func arguments(output: String, extra: [String] = []) -> [String] {
        ["upscale", input, "--scale", "2", "--tile", "64", "--padding", "16",
         "--checkpoint", models + "/checkpoint_ldm.safetensors", "--prompt", "a brick wall",
         "--denoising-strength", "0.5", "--steps", "3", "--sampler", "Euler a", "--seed", "1",
         "--tile-mode", "usdu", "--redraw-mode", "chess", "--seams-fix", "half-tile", "--seams-fix-denoise", "0.3",
         "-o", output] + extra
    }

    func testTwoLocalWorkersWriteTheSameUSDUImageAsOneProcessAndRecordTheSettings() throws {
        let single = dir + "/single.png", local = dir + "/local.png"
        let one = try CLIHarness.run(arguments(output: single), in: dir, timeout: 600)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("Wrote \(single) (128x96, 8 tiles)"), one.stdout)
        let two = try CLIHarness.run(arguments(output: local) + ["--local", "2"], in: dir, timeout: 600)
        XCTAssertEqual(two.status, 0, two.stderr)
        let a = try PNGImage.read(path: single), b = try PNGImage.read(path: local)
        XCTAssertEqual(a.rgba8, b.rgba8)
        XCTAssertEqual(a.parameters, b.parameters)
        let parameters = try XCTUnwrap(a.parameters)
        for expected in ["Tessera tile mode: USDU", "Tessera tile order: Chess", "Ultimate SD upscale mask_blur: 8",
                         "Tessera seams fix: Half tile offset pass", "Tessera seams fix denoise: 0.3", "Color fix: Wavelet"] {
            XCTAssertTrue(parameters.contains(expected), "\(expected) missing in \(parameters)")
        }
    }

    func testABadSeamsFixValueIsOneClearLineNamingTheFlag() throws {
        let r = try CLIHarness.run(arguments(output: dir + "/x.png", extra: ["--seams-fix", "diagonal"]), in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("--seams-fix") && r.stderr.contains("diagonal"), r.stderr)
        let colour = try CLIHarness.run(arguments(output: dir + "/x.png", extra: ["--color-fix", "sepia"]), in: dir)
        XCTAssertNotEqual(colour.status, 0)
        XCTAssertEqual(colour.stderrLines.count, 1, colour.stderr)
        XCTAssertTrue(colour.stderr.contains("--color-fix") && colour.stderr.contains("sepia"), colour.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    func testUSDUTileModeNeedsADiffusionUpscale() throws {
        let r = try CLIHarness.run(["upscale", input, "--tile-mode", "usdu", "-o", dir + "/y.png"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("tile_mode"), r.stderr)
    }

    func testAMaskedUpscaleRedrawsOnlyWhatTheMaskReachesInOneProcessAndOnALocalClusterAlike() throws {
        var mask = RGBAImage(width: 128, height: 96)
        for y in 4..<12 { for x in 6..<14 { mask.setPixel(x: x, y: y, (255, 255, 255, 255)) } }
        try mask.writePNG(to: dir + "/mask.png", format: .rgb8)
        let common = ["upscale", input, "--scale", "2", "--tile", "64", "--padding", "16",
                      "--checkpoint", models + "/checkpoint_ldm.safetensors", "--steps", "3", "--seed", "2",
                      "--denoising-strength", "0.6", "--mask", dir + "/mask.png", "--mask-blur", "2"]
        let single = dir + "/single.png", local = dir + "/local.png", plain = dir + "/plain.png"
        let one = try CLIHarness.run(common + ["-o", single], in: dir, timeout: 600)
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try CLIHarness.run(common + ["-o", local, "--local", "2"], in: dir, timeout: 600)
        XCTAssertEqual(two.status, 0, two.stderr)
        let lanczos = try CLIHarness.run(["upscale", input, "--scale", "2", "--tile", "64", "--padding", "16", "-o", plain], in: dir)
        XCTAssertEqual(lanczos.status, 0, lanczos.stderr)
        let a = try PNGImage.read(path: single).rgba8, b = try PNGImage.read(path: local).rgba8
        let pre = try PNGImage.read(path: plain).rgba8
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, pre)
        // Far from the mask (its blur reaches a few pixels) every pixel is the plain Lanczos upscale.
        for y in 40..<96 { for x in 0..<128 { XCTAssertTrue(a.pixel(x: x, y: y) == pre.pixel(x: x, y: y), "(\(x), \(y))") } }
        let wrong = try CLIHarness.run(["upscale", input, "--scale", "2", "--checkpoint", models + "/checkpoint_ldm.safetensors",
                                        "--mask", input, "-o", dir + "/w.png"], in: dir)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertEqual(wrong.stderrLines.count, 1, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("mask"), wrong.stderr)
    }
}
