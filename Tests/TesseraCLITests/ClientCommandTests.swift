import Foundation
import TesseraImaging
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `submit`, `status`, `watch`, `fetch`, `cancel` and `workers` against a real coordinator and worker.
final class ClientCommandTests: XCTestCase {
    private var dir = ""
    private var processes: [Process] = []
    private var clientEndpoint = ""
    private var workerEndpoint = ""

    override func setUpWithError() throws {
        dir = CLIHarness.temporaryDirectory(self)
        addTeardownBlock { [self] in
            for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
            for p in processes { p.waitUntilExit() }
        }
        let state = dir + "/state"
        let (coordinator, _, err) = try CLIHarness.start(
            ["coordinator", "--state-dir", state, "--worker-endpoint", "tcp://127.0.0.1:*", "--client-endpoint",
             "tcp://127.0.0.1:*", "--heartbeat-ms", "200"], in: dir)
        processes.append(coordinator)
        var endpoints: [String: Any] = [:]
        let up = ClusterWait.until(15) {
            guard let data = FileManager.default.contents(atPath: state + "/endpoints.json"),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return false }
            endpoints = json
            return true
        }
        XCTAssertTrue(up, (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        clientEndpoint = endpoints["client"] as? String ?? ""
        workerEndpoint = endpoints["worker"] as? String ?? ""
        var image = RGBAImage(width: 64, height: 48)
        for y in 0..<48 { for x in 0..<64 { image.setPixel(x: x, y: y, (UInt8(x * 4), UInt8(y * 5), 128, 255)) } }
        try image.writePNG(to: dir + "/in.png", format: .rgb8)
    }

    private func tessera(_ args: [String], env: [String: String] = [:]) throws -> CLIHarness.Result {
        try CLIHarness.run(args, in: dir, timeout: 60, environment: env)
    }

    func testSubmitWatchFetchRoundTripWithAJobFile() throws {
        try """
            input = "in.png"
            [job]
            upscaler = "lanczos"
            scale = 2
            tile_width = 32
            padding = 4
            redraw_mode = "chess"
            priority = 70
            """.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let submitted = try tessera(["submit", dir + "/job.toml", "--coordinator", clientEndpoint])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let job = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(job.isEmpty)

        let queued = try tessera(["status", job], env: ["TESSERA_COORDINATOR": clientEndpoint])
        XCTAssertEqual(queued.status, 0, queued.stderr)
        XCTAssertTrue(queued.stdout.contains(job) && queued.stdout.contains("queued") && queued.stdout.contains("0/12"),
            queued.stdout)

        let (worker, _, _) = try CLIHarness.start(["worker", "--connect", workerEndpoint, "--id", "cli-w"], in: dir)
        processes.append(worker)
        let watched = try tessera(["watch", job, "--coordinator", clientEndpoint])
        XCTAssertEqual(watched.status, 0, watched.stderr)
        XCTAssertTrue(watched.stderr.contains("12/12 tiles"), watched.stderr)

        let workers = try tessera(["workers", "--coordinator", clientEndpoint])
        XCTAssertTrue(workers.stdout.contains("cli-w"), workers.stdout)

        let out = dir + "/fetched.png"
        let fetched = try tessera(["fetch", job, "-o", out, "--coordinator", clientEndpoint])
        XCTAssertEqual(fetched.status, 0, fetched.stderr)
        let single = dir + "/single.png"
        XCTAssertEqual(try tessera(["upscale", dir + "/in.png", "--tile", "32", "--padding", "4", "--order", "chess",
            "-o", single]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: URL(fileURLWithPath: single)))
    }

    func testAGenerationJobFileBatchWithFlagOverridesGivesTheFilesOfTessera_txt2img() throws {
        let checkpoint = CLIHarness.referenceModels + "/checkpoint_ldm.safetensors"
        try """
            [generation]
            checkpoint = "checkpoint_ldm"
            prompt = "a lighthouse"
            width = 64
            height = 64
            steps = 6
            seed = 3
            n_iter = 2
            """.write(toFile: dir + "/gen.toml", atomically: true, encoding: .utf8)
        let upscaleFlag = try tessera(["submit", dir + "/gen.toml", "--scale", "2", "--coordinator", clientEndpoint])
        XCTAssertNotEqual(upscaleFlag.status, 0)
        XCTAssertEqual(upscaleFlag.stderrLines.count, 1)
        XCTAssertTrue(upscaleFlag.stderr.contains("--scale is an upscale setting and does not apply to a [generation] job file"), upscaleFlag.stderr)

        // The flags that mean the same in txt2img override the file; the batch becomes one job per image.
        let submitted = try tessera(["submit", dir + "/gen.toml", "--prompt", "a boat", "--steps", "3", "--seed", "5",
                                     "--coordinator", clientEndpoint])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let jobs = submitted.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(jobs.count, 2, submitted.stdout)
        let (worker, _, _) = try CLIHarness.start(["worker", "--connect", workerEndpoint, "--model", checkpoint], in: dir)
        processes.append(worker)

        XCTAssertEqual(try tessera(["txt2img", "--checkpoint", checkpoint, "--prompt", "a boat", "--steps", "3", "--seed", "5",
                                    "--batch-count", "2", "--width", "64", "--height", "64", "-o", dir + "/one.png"]).status, 0)
        for (k, job) in jobs.enumerated() {
            let watched = try tessera(["watch", job, "--coordinator", clientEndpoint])
            XCTAssertEqual(watched.status, 0, watched.stderr)
            let out = dir + "/cluster-\(k).png"
            XCTAssertEqual(try tessera(["fetch", job, "-o", out, "--coordinator", clientEndpoint]).status, 0)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)),
                try Data(contentsOf: URL(fileURLWithPath: dir + "/one-0000\(k)-\(5 + k).png")), "image \(k)")
        }
    }

    func testCancelAndErrorsAreOneLine() throws {
        let submitted = try tessera(["submit", dir + "/in.png", "--scale", "2", "--tile", "32", "--coordinator", clientEndpoint])
        let job = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try tessera(["cancel", job, "--coordinator", clientEndpoint]).stdout, "cancelled \(job)\n")
        let again = try tessera(["cancel", job, "--coordinator", clientEndpoint])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertEqual(again.stderrLines, ["tessera: error: job \(job) is already cancelled"])
        let fetch = try tessera(["fetch", job, "-o", dir + "/x.png", "--coordinator", clientEndpoint])
        XCTAssertNotEqual(fetch.status, 0)
        XCTAssertEqual(fetch.stderrLines.count, 1)
        let unknown = try tessera(["status", "jdoesnotexist", "--coordinator", clientEndpoint])
        XCTAssertEqual(unknown.stderrLines, ["tessera: error: unknown job jdoesnotexist"])
        let badSubmit = try tessera(["submit", dir + "/in.png", "--padding", "600", "--coordinator", clientEndpoint])
        XCTAssertEqual(badSubmit.stderrLines.count, 1)
        XCTAssertTrue(badSubmit.stderr.contains("padding"), badSubmit.stderr)
        let nobody = try tessera(["status", "--coordinator", "tcp://127.0.0.1:1", "--timeout", "0.5"])
        XCTAssertNotEqual(nobody.status, 0)
        XCTAssertEqual(nobody.stderrLines.count, 1)
        XCTAssertTrue(nobody.stderr.contains("no answer from coordinator at tcp://127.0.0.1:1"), nobody.stderr)
    }
}
