import Foundation
import TesseraImaging
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class UpscaleCommandTests: XCTestCase {
    private var dir = ""
    private var input = ""

    override func setUpWithError() throws {
        dir = CLIHarness.temporaryDirectory(self)
        input = dir + "/in.png"
        var image = RGBAImage(width: 96, height: 64)
        for y in 0..<64 {
            for x in 0..<96 {
                image.setPixel(x: x, y: y, (UInt8(x * 2), UInt8(y * 3), UInt8((x ^ y) & 0xff), 255))
            }
        }
        try image.writePNG(to: input, format: .rgb8)
    }

    func testUpscaleWritesTheImageWithA1111ParametersAndSaysWhere() throws {
        let out = dir + "/out.png"
        let r = try CLIHarness.run(
            ["upscale", input, "--scale", "2", "--upscaler", "lanczos", "--tile", "64", "--padding", "8", "-o", out], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Wrote \(out) (192x128, 6 tiles)"), r.stdout)
        let png = try PNGImage.read(path: out)
        XCTAssertEqual(png.width, 192)
        XCTAssertEqual(png.height, 128)
        let parameters = try XCTUnwrap(png.parameters)
        XCTAssertTrue(parameters.hasPrefix("Size: 192x128, Postprocess upscale by: 2, Postprocess upscaler: Lanczos"), parameters)
        XCTAssertTrue(parameters.contains("Ultimate SD upscale padding: 8"), parameters)
        XCTAssertTrue(r.stderr.contains("6/6 tiles"), "progress lines expected on a non-terminal: \(r.stderr)")
        XCTAssertFalse(r.stderr.contains("\r"), "no carriage returns when stderr is not a terminal")
    }

    func testExplicitWidthAndHeightOverrideTheScale() throws {
        let out = dir + "/sized.png"
        let r = try CLIHarness.run(["upscale", input, "--width", "150", "--height", "100", "-o", out], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let png = try PNGImage.read(path: out)
        XCTAssertEqual([png.width, png.height], [150, 100])
        XCTAssertTrue(png.parameters?.contains("Postprocess upscale to: 150x100") ?? false)
    }

    func testAMissingInputIsOneClearLineAndAFailureStatus() throws {
        let r = try CLIHarness.run(["upscale", dir + "/nope.png", "-o", dir + "/x.png"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("nope.png"), r.stderr)
    }

    func testACorruptPNGIsOneClearLineNamingTheFile() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        let truncated = dir + "/truncated.png"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let garbage = dir + "/garbage.png"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: garbage))
        for path in [truncated, garbage] {
            let r = try CLIHarness.run(["upscale", path, "-o", dir + "/x.png"], in: dir)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(URL(fileURLWithPath: path).lastPathComponent), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    func testBadParametersAreOneLineNamingTheField() throws {
        let cases: [([String], String)] = [
            (["--padding", "9999"], "padding"), (["--tile", "0"], "tile_width"), (["--order", "spiral"], "--order"),
            (["--upscaler", "esrgan"], "upscaler"), (["--priority", "101"], "priority"),
        ]
        for (flags, field) in cases {
            let r = try CLIHarness.run(["upscale", input, "-o", dir + "/x.png"] + flags, in: dir)
            XCTAssertNotEqual(r.status, 0, "\(flags)")
            XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(field), "\(flags): \(r.stderr)")
        }
    }

    func testLocalModeMatchesTheSingleProcessOutputAndLeavesNoProcessBehind() throws {
        let single = dir + "/single.png", local = dir + "/local.png"
        let flags = ["--scale", "2", "--tile", "48", "--padding", "8", "--order", "chess"]
        XCTAssertEqual(try CLIHarness.run(["upscale", input, "-o", single] + flags, in: dir).status, 0)
        let (process, out, err) = try CLIHarness.start(["upscale", input, "-o", local, "--local", "2"] + flags, in: dir)
        var seenChildren = Set<Int32>()
        while process.isRunning {
            seenChildren.formUnion(CLIHarness.children(of: process.processIdentifier))
            usleep(10_000)
        }
        XCTAssertEqual(process.terminationStatus, 0, (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        XCTAssertTrue((try String(contentsOfFile: out, encoding: .utf8)).contains("2 workers"))
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: local)), try Data(contentsOf: URL(fileURLWithPath: single)),
            "local-mode output must be byte-identical to the single-process output")
        XCTAssertGreaterThanOrEqual(seenChildren.count, 1)
        XCTAssertTrue(CLIHarness.children(of: process.processIdentifier).isEmpty)
        XCTAssertTrue(ClusterWait.until(5) { seenChildren.allSatisfy { !CLIHarness.isAlive($0) } }, "orphans: \(seenChildren)")
    }

    func testAnESRGANFileUpscalesOnLocalWorkersAsInOneProcess() throws {
        let model = CLIHarness.referenceModels + "/esrgan/RRDBNet_x4_basicsr_fp16.safetensors"
        let single = dir + "/esrgan-single.png", local = dir + "/esrgan-local.png"
        let flags = ["--upscaler", model, "--scale", "2", "--tile", "32", "--padding", "8"]
        let one = try CLIHarness.run(["upscale", input, "-o", single] + flags, in: dir, timeout: 120)
        XCTAssertEqual(one.status, 0, one.stderr)
        // The workers are given the file with --model, advertise it, and so get the job's tiles.
        let two = try CLIHarness.run(["upscale", input, "-o", local, "--local", "2"] + flags, in: dir, timeout: 120)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: local)), try Data(contentsOf: URL(fileURLWithPath: single)))
    }

    func testCtrlCInLocalModeStopsEveryChildProcess() throws {
        let (process, _, err) = try CLIHarness.start(
            ["upscale", input, "-o", dir + "/never.png", "--local", "2", "--render-delay-ms", "2000", "--tile", "32"],
            in: dir)
        var children: [Int32] = []
        XCTAssertTrue(ClusterWait.until(20) {
            children = CLIHarness.children(of: process.processIdentifier)
            return children.count == 3
        }, "expected a coordinator and two workers")
        usleep(500_000)
        kill(process.processIdentifier, SIGINT)
        XCTAssertTrue(ClusterWait.until(20) { !process.isRunning }, "tessera did not exit after SIGINT")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        XCTAssertTrue(ClusterWait.until(10) { children.allSatisfy { !CLIHarness.isAlive($0) } }, "orphans left: \(children)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/never.png"))
    }
}

extension UpscaleCommandTests {
    func testKillingTheLocalModeParentWithSIGKILLStillEndsItsChildren() throws {
        let (process, _, _) = try CLIHarness.start(
            ["upscale", input, "-o", dir + "/never.png", "--local", "2", "--render-delay-ms", "2000", "--tile", "32"],
            in: dir)
        var children: [Int32] = []
        XCTAssertTrue(ClusterWait.until(20) {
            children = CLIHarness.children(of: process.processIdentifier)
            return children.count == 3
        }, "expected a coordinator and two workers")
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // PR_SET_PDEATHSIG delivers SIGTERM to each child; workers drain for at most 2 s in local mode.
        XCTAssertTrue(ClusterWait.until(15) { children.allSatisfy { !CLIHarness.isAlive($0) } }, "orphans left: \(children)")
        for pid in children where CLIHarness.isAlive(pid) { kill(pid, SIGKILL) }
    }
}

enum ClusterWait {
    static func until(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
