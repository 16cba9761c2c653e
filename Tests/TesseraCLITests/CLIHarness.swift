import Foundation
import TesseraImaging
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `tessera` executable (found next to this test bundle) and captures what it prints.
enum CLIHarness {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    static func binary() throws -> String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tessera").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tessera").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NSError(domain: "CLIHarness", code: 1, userInfo: [
                NSLocalizedDescriptionKey: "tessera executable not built next to the tests (\(candidates[0]))"])
        }
        return found
    }

    /// Starts `tessera arguments…` with stdout/stderr going to files.
    static func start(_ arguments: [String], in dir: String, environment: [String: String] = [:]) throws
        -> (Process, String, String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        // Children die with the test runner even if it crashes or is killed (see ParentDeathWatch).
        var base = ProcessInfo.processInfo.environment
        base["TESSERA_PARENT_PID"] = "\(getpid())"
        process.environment = base.merging(environment) { $1 }
        let id = UUID().uuidString
        let out = dir + "/stdout-\(id)", err = dir + "/stderr-\(id)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs to completion, killing the process if it takes longer than `timeout` seconds.
    static func run(_ arguments: [String], in dir: String, timeout: Double = 60, environment: [String: String] = [:])
        throws -> Result
    {
        let (process, out, err) = try start(arguments, in: dir, environment: environment)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTFail("tessera \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Live (non-zombie) processes whose parent is `pid`.
    static func children(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[1]) == pid
        }
    }

    /// Whether `pid` still exists as a live (non-zombie) process.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    static func temporaryDirectory(_ test: XCTestCase) -> String {
        let dir = NSTemporaryDirectory() + "tessera-cli-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// The tiny random-weight reference models the repo ships (`Tests/Fixtures/reference/models`).
    static let referenceModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference/models").path

    /// Writes an RGB test picture with detail on every axis: (4x, yStep·y, 4·(x xor y)).
    static func writeGradientPNG(width: Int, height: Int, yStep: Int, to path: String) throws {
        var image = RGBAImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image.setPixel(x: x, y: y, (UInt8(x * 4), UInt8(y * yStep), UInt8((x ^ y) * 4 & 0xff), 255))
            }
        }
        try image.writePNG(to: path, format: .rgb8)
    }
}
