import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A coordinator and N workers started as real OS processes on loopback, for `tessera upscale --local N`.
///
/// Children get ephemeral ports, a private state directory and `TESSERA_PARENT_PID` (so they die with us, see
/// `ParentDeathWatch`); their logs go to files in the state directory so the progress bar stays readable.
/// `stop()` asks every child to stop (SIGTERM), waits, then SIGKILLs whatever is left.
public final class LocalCluster {
    public let executable: String
    public let stateDir: String
    public let workerCount: Int
    public let threadsPerWorker: Int
    public let extraWorkerArguments: [String]
    public private(set) var coordinator: Process?
    public private(set) var workers: [Process] = []
    public private(set) var endpoints: CoordinatorEndpoints?

    public init(
        executable: String, stateDir: String, workers: Int, threadsPerWorker: Int = 1, extraWorkerArguments: [String] = []
    ) {
        self.executable = executable
        self.stateDir = stateDir
        self.workerCount = workers
        self.threadsPerWorker = threadsPerWorker
        self.extraWorkerArguments = extraWorkerArguments
    }

    /// Path of the running executable (`/proc/self/exe`), so children run the very same build.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    public var logDirectory: String { stateDir + "/logs" }

    /// Starts the coordinator, waits for its endpoints, then starts the workers.
    public func start(timeoutSeconds: Double = 20) throws -> CoordinatorEndpoints {
        try AtomicFile.makeDirectories(logDirectory)
        let coordinatorProcess = try spawn(
            ["coordinator", "--state-dir", stateDir + "/coordinator", "--worker-endpoint", "tcp://127.0.0.1:*",
             "--client-endpoint", "tcp://127.0.0.1:*"], log: "coordinator.log")
        coordinator = coordinatorProcess
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var found: CoordinatorEndpoints?
        while found == nil {
            found = CoordinatorEndpoints.read(stateDir: stateDir + "/coordinator")
            if found != nil { break }
            guard coordinatorProcess.isRunning else {
                throw ClusterError.processFailure("local coordinator exited at start-up: \(logTail("coordinator.log"))")
            }
            guard Date() < deadline else {
                throw ClusterError.processFailure("local coordinator did not start within \(Int(timeoutSeconds)) s")
            }
            usleep(20_000)
        }
        endpoints = found
        for n in 0..<workerCount {
            workers.append(try spawn(
                // A short drain: on Ctrl-C the user wants the prompt back, and tiles of a local job are not kept.
                ["worker", "--connect", found!.worker, "--threads", "\(threadsPerWorker)", "--id", "local-\(n + 1)",
                 "--drain-timeout", "2"]
                    + extraWorkerArguments, log: "worker-\(n + 1).log"))
        }
        return found!
    }

    /// All child pids (coordinator first).
    public var pids: [Int32] { ([coordinator] + workers).compactMap { $0?.processIdentifier } }

    /// Stops every child: SIGTERM, up to `graceSeconds` to exit, then SIGKILL. Safe to call more than once.
    public func stop(graceSeconds: Double = 5) {
        let all = workers + [coordinator].compactMap { $0 }
        // Workers first so they can hand back tiles while the coordinator still listens.
        for process in workers where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        waitForExit(workers, until: Date().addingTimeInterval(graceSeconds))
        if let coordinator, coordinator.isRunning { kill(coordinator.processIdentifier, SIGTERM) }
        waitForExit(all, until: Date().addingTimeInterval(graceSeconds))
        for process in all where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        waitForExit(all, until: Date().addingTimeInterval(2))
    }

    private func waitForExit(_ processes: [Process], until deadline: Date) {
        while processes.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
    }

    private func spawn(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment[ParentDeathWatch.environmentKey] = "\(getpid())"
        process.environment = environment
        let logPath = logDirectory + "/" + log
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: logPath) else {
            throw ClusterError.processFailure("cannot create \(logPath)")
        }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ClusterError.processFailure("cannot start \(executable) \(arguments.first ?? ""): \(error)")
        }
        return process
    }

    /// The last lines of a child's log (for error messages).
    public func logTail(_ log: String, lines: Int = 5) -> String {
        guard let data = FileManager.default.contents(atPath: logDirectory + "/" + log) else { return "(no log)" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}
