import Foundation
import TesseraImaging
import XCTest

/// `tessera txt2img --params-from` reads the `Tiled Diffusion` infotext entry back, so a rerun draws the same tiles.
final class TiledDiffusionParamsFromTests: XCTestCase {
    private let checkpoint = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference/models/checkpoint_ldm.safetensors").path

    private func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "tessera-td-params-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private func txt2img(_ arguments: [String], in dir: String) throws -> PNGImage {
        let output = dir + "/\(UUID().uuidString).png"
        let result = try CLIHarness.run(["txt2img", "--checkpoint", checkpoint, "-o", output] + arguments, in: dir, timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try PNGImage.read(path: output)
    }

    func testARerunFromTheInfotextKeepsTheTilesAndFlagsOverrideThem() throws {
        let dir = temporaryDirectory()
        let first = try txt2img(["--prompt", "a red house", "--steps", "2", "--width", "64", "--height", "64", "--seed", "3",
                                 "--sampler", "Euler", "--tiled-diffusion", "mixture", "--latent-tile-width", "4",
                                 "--latent-tile-height", "4", "--latent-tile-overlap", "2"], in: dir)
        let text = try XCTUnwrap(first.parameters)
        XCTAssertTrue(text.contains("Tiled Diffusion: \"method: Mixture of Diffusers, tile: 4x4, overlap: 2, batch: 4\""), text)
        let source = dir + "/first.png"
        try first.rgba8.writePNG(to: source, format: .rgb8, textChunks: [.parameters(text)])

        let rerun = try txt2img(["--params-from", source], in: dir)
        XCTAssertEqual(rerun.rgba8, first.rgba8)
        XCTAssertEqual(rerun.parameters, first.parameters)

        // Flags override the recorded entry: the same as giving every setting by hand.
        let overridden = try txt2img(["--params-from", source, "--latent-tile-overlap", "0", "--tiled-diffusion", "multidiffusion"], in: dir)
        let overriddenText = try XCTUnwrap(overridden.parameters)
        XCTAssertTrue(overriddenText.contains("Tiled Diffusion: \"method: MultiDiffusion, tile: 4x4, overlap: 0, batch: 4\""), overriddenText)
        let byHand = try txt2img(["--prompt", "a red house", "--steps", "2", "--width", "64", "--height", "64", "--seed", "3",
                                  "--sampler", "Euler", "--tiled-diffusion", "multidiffusion", "--latent-tile-width", "4",
                                  "--latent-tile-height", "4", "--latent-tile-overlap", "0"], in: dir)
        XCTAssertEqual(overridden.rgba8, byHand.rgba8)
        XCTAssertEqual(overriddenText, byHand.parameters)
    }

    func testNoiseInversionIsRecordedAndARerunFromTheInfotextGivesTheSameImage() throws {
        let dir = temporaryDirectory()
        let initImage = dir + "/init.png"
        var pixels = [UInt8]()
        for y in 0..<64 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 4), UInt8((x + y) * 2), 255] } }
        try RGBAImage(width: 64, height: 64, pixels: pixels).writePNG(to: initImage, format: .rgb8)
        let output = dir + "/inverted.png"
        let arguments = ["img2img", "--checkpoint", checkpoint, "--init-image", initImage, "--prompt", "a red house",
                         "--steps", "4", "--denoising-strength", "0.5", "--seed", "5", "--sampler", "Euler",
                         "--tiled-diffusion", "multidiffusion", "--latent-tile-width", "4", "--latent-tile-height", "4",
                         "--latent-tile-overlap", "2", "--noise-inversion", "--noise-inversion-steps", "2",
                         "--renoise-kernel-size", "8", "-o", output]
        let result = try CLIHarness.run(arguments, in: dir, timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        let first = try PNGImage.read(path: output)
        let text = try XCTUnwrap(first.parameters)
        XCTAssertTrue(text.contains("noise inversion steps: 2, retouch: 1, renoise strength: 1, renoise kernel: 8"), text)

        let rerunPath = dir + "/rerun.png"
        let rerun = try CLIHarness.run(["img2img", "--checkpoint", checkpoint, "--init-image", initImage,
                                        "--params-from", output, "-o", rerunPath], in: dir, timeout: 300)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try PNGImage.read(path: rerunPath).rgba8, first.rgba8)

        let orphan = try CLIHarness.run(["img2img", "--checkpoint", checkpoint, "--init-image", initImage,
                                         "--tiled-diffusion", "mixture", "--renoise-strength", "0.5", "-o", dir + "/x.png"],
                                        in: dir, timeout: 60)
        XCTAssertEqual(orphan.status, 1)
        XCTAssertTrue(orphan.stderr.contains("need --noise-inversion"), orphan.stderr)
    }

    func testRegionsFromTheExtensionsSavedConfigAreRecordedWithTheirDrawnSeedsAndRerunTheSame() throws {
        let dir = temporaryDirectory()
        let config = dir + "/regions.json"
        try Data("""
            {"bbox_controls": [
              {"enable": true, "x": 0, "y": 0, "w": 1, "h": 1, "prompt": "", "neg_prompt": "", "blend_mode": "Background", "feather_ratio": 0.2, "seed": -1},
              {"enable": true, "x": 0.5, "y": 0.25, "w": 0.5, "h": 0.5, "prompt": "a cat, sitting", "neg_prompt": "dog", "blend_mode": "Foreground", "feather_ratio": 0.3, "seed": 8}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: config))
        let common = ["--prompt", "a red house", "--steps", "2", "--width", "64", "--height", "64", "--seed", "3",
                      "--sampler", "Euler", "--tiled-diffusion", "multidiffusion", "--latent-tile-width", "4",
                      "--latent-tile-height", "4", "--latent-tile-overlap", "2"]
        let first = try txt2img(common + ["--regions", config], in: dir)
        let text = try XCTUnwrap(first.parameters)
        XCTAssertTrue(text.contains("draw background: false"), text)
        XCTAssertTrue(text.contains("Tiled Diffusion regions: \"[{"), text)
        XCTAssertFalse(text.contains("\\\"seed\\\":-1"), "the random region seed is recorded as drawn: \(text)")
        XCTAssertTrue(text.contains("\\\"seed\\\":8"), text)
        let source = dir + "/first.png"
        try first.rgba8.writePNG(to: source, format: .rgb8, textChunks: [.parameters(text)])
        let rerun = try txt2img(["--params-from", source], in: dir)
        XCTAssertEqual(rerun.rgba8, first.rgba8)
        XCTAssertEqual(rerun.parameters, first.parameters)
        XCTAssertNotEqual(try txt2img(common, in: dir).rgba8, first.rgba8, "regions change the image")

        try Data(#"[{"x": 0.5, "w": 0.5, "h": 1, "blend_mode": "Foreground"}]"#.utf8).write(to: URL(fileURLWithPath: config))
        let uncovered = try CLIHarness.run(["txt2img", "--checkpoint", checkpoint, "-o", dir + "/x.png"] + common + ["--regions", config],
                                           in: dir, timeout: 60)
        XCTAssertEqual(uncovered.status, 1)
        XCTAssertTrue(uncovered.stderr.contains("--draw-background"), uncovered.stderr)
        let missing = try CLIHarness.run(["txt2img", "--checkpoint", checkpoint, "-o", dir + "/x.png"] + common
                                            + ["--regions", dir + "/none.json"], in: dir, timeout: 60)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("--regions: cannot read"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }
}
