import Foundation
import XCTest
@testable import TesseraCluster

final class JobStoreTests: XCTestCase {
    private func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "tessera-store-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testJobsAndTilesSurviveReopening() throws {
        let dir = temporaryDirectory()
        do {
            let store = try JobStore(directory: dir)
            try store.insertJob(
                id: "a", spec: UpscaleJobSpec(priority: 70), sourceWidth: 10, sourceHeight: 20, tileCount: 3, now: 1)
            try store.transaction { tx in
                let row = try tx.beginAttempt(jobId: "a", index: 1, workerId: "w1", now: 2)
                try tx.markTileDone(jobId: "a", index: 1, checksum: "abc", workerId: "w1")
                try tx.endAttempt(id: row, outcome: "done", now: 3)
            }
        }
        let reopened = try JobStore(directory: dir)
        let job = try XCTUnwrap(reopened.job("a"))
        XCTAssertEqual(job.spec.priority, 70)
        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(try reopened.tiles(of: "a").map(\.state), [.pending, .done, .pending])
        XCTAssertEqual(try reopened.tiles(of: "a")[1].checksum, "abc")
        XCTAssertEqual(try reopened.attempts(of: "a").map(\.outcome), ["done"])
    }

    func testSubmissionOrderIsStoredForFIFO() throws {
        let store = try JobStore(directory: temporaryDirectory())
        try store.insertJob(id: "x", spec: UpscaleJobSpec(), sourceWidth: 1, sourceHeight: 1, tileCount: 1, now: 5)
        try store.insertJob(id: "y", spec: UpscaleJobSpec(), sourceWidth: 1, sourceHeight: 1, tileCount: 1, now: 5)
        XCTAssertEqual(try store.jobs().map(\.seq), [1, 2])
    }

    func testDatabaseUsesWriteAheadLogging() throws {
        let dir = temporaryDirectory()
        let store = try JobStore(directory: dir)
        try store.insertJob(id: "x", spec: UpscaleJobSpec(), sourceWidth: 1, sourceHeight: 1, tileCount: 1, now: 5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.path + "-wal"))
    }

    func testOpenAttemptsAreClosedAsInterruptedAfterACrash() throws {
        let store = try JobStore(directory: temporaryDirectory())
        try store.insertJob(id: "x", spec: UpscaleJobSpec(), sourceWidth: 1, sourceHeight: 1, tileCount: 1, now: 5)
        try store.transaction { _ = try $0.beginAttempt(jobId: "x", index: 0, workerId: "w", now: 6) }
        try store.closeInterruptedAttempts(now: 7)
        XCTAssertEqual(try store.attempts(of: "x").map(\.outcome), ["interrupted"])
    }

    func testAtomicWriteReplacesContentAndLeavesNoTemporaryFile() throws {
        let dir = temporaryDirectory()
        try AtomicFile.makeDirectories(dir + "/a/b")
        let path = dir + "/a/b/file.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        XCTAssertEqual(try AtomicFile.read(path), [4, 5])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/a/b"), ["file.bin"])
    }

    func testConfigDefaultsApplyToMissingKeys() throws {
        let config = try CoordinatorConfig.parse("[coordinator]\nheartbeat_ms = 250\n")
        XCTAssertEqual(config.heartbeatMs, 250)
        XCTAssertEqual(config.liveness, 3)
        XCTAssertEqual(config.workerEndpoint, "tcp://127.0.0.1:5555")
    }

    func testConfigErrorsNameTheFileAndKey() {
        XCTAssertThrowsError(try CoordinatorConfig.parse("[coordinator]\nliveness = 0\n", path: "c.toml")) {
            XCTAssertEqual("\($0)", "c.toml: coordinator.liveness must be in 1...100")
        }
        XCTAssertThrowsError(try CoordinatorConfig.parse("[coordinator]\nliveness = \"x\"\n", path: "c.toml")) {
            XCTAssertTrue("\($0)".hasPrefix("c.toml: "), "\($0)")
        }
        XCTAssertThrowsError(try CoordinatorConfig.parse("[coordinator\n", path: "c.toml")) {
            XCTAssertTrue("\($0)".hasPrefix("c.toml: line 1"), "\($0)")
        }
    }

    func testShippedDefaultConfigParses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("coordinator/coordinator.toml")
        let config = try CoordinatorConfig.load(path: url.path)
        XCTAssertEqual(config, CoordinatorConfig())
    }
}

final class ShippedFilesTests: XCTestCase {
    func testExampleJobFilesParseAndResolveTheirInputRelativeToTheFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let jobs = root.appendingPathComponent("coordinator/jobs")
        let names = try FileManager.default.contentsOfDirectory(atPath: jobs.path).filter { $0.hasSuffix(".toml") }
        XCTAssertGreaterThanOrEqual(names.count, 2)
        for name in names {
            let job = try JobFile.load(path: jobs.appendingPathComponent(name).path)
            guard let input = job.input else {
                XCTAssertEqual(job.generation?.mode, .txt2img, "\(name): only txt2img jobs have no input")
                continue
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: input), "\(name): \(input)")
            for path in [input] + (job.mask.map { [$0] } ?? []) {
                XCTAssertTrue(URL(fileURLWithPath: path).standardized.path.hasPrefix(
                    root.appendingPathComponent("tiles/samples").standardized.path), "\(name): \(path)")
            }
        }
    }

    func testJobFileErrorsNameTheFileAndKey() throws {
        let dir = NSTemporaryDirectory() + "tessera-jobfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bad.toml"
        try "input = \"x.png\"\n[job]\npadding = 9999\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try JobFile.load(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix(path + ": job.invalid parameter padding"), "\($0)")
        }
        try "[job]\nscale = 2\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try JobFile.load(path: path)) { XCTAssertTrue("\($0)".contains("input: missing"), "\($0)") }
    }
}
