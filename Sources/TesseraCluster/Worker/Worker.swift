import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// How a worker connects and behaves.
public struct WorkerOptions: Sendable {
    /// Coordinator worker endpoint, e.g. `tcp://127.0.0.1:5555`.
    public var coordinator: String
    /// Tiles rendered at once (each on its own render thread).
    public var threads: Int
    /// Stable identity (ZMQ routing id); kept across reconnects so a restarted coordinator sees the same worker.
    public var workerId: String
    /// Reconnect back-off bounds (seconds): 1 s doubling to 32 s by default.
    public var backoffInitial: Double = 1
    public var backoffMax: Double = 32
    /// On SIGTERM, how long in-progress tiles may run before they are handed back.
    public var drainTimeoutSeconds: Double = 30
    /// Heartbeat settings until the coordinator's WELCOME says otherwise.
    public var heartbeatMs: Int = 1000
    public var liveness: Int = 3

    public init(coordinator: String, threads: Int = 1, workerId: String? = nil) {
        self.coordinator = coordinator
        self.threads = max(1, threads)
        self.workerId = workerId ?? WorkerOptions.defaultWorkerId()
    }

    /// `<hostname>-<pid>-<random>`: unique per process, readable in `tessera workers`.
    public static func defaultWorkerId() -> String {
        // gethostname, not ProcessInfo.hostName: the latter may block on a DNS lookup.
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let host = name.split(separator: ".").first.map(String.init) ?? "worker"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt32.random(in: 0..<0xffff), radix: 16))"
    }
}

/// Counters a worker keeps (logs, tests, benchmark).
public struct WorkerCounters: Sendable, Equatable {
    public var tilesRendered = 0
    public var tilesFailed = 0
    public var tilesHandedBack = 0
    public var registrations = 0
    public var reconnects = 0
    public var messagesDropped = 0
}

/// A render worker: registers with the coordinator, asks for tiles as its render threads free up, renders them
/// with a `WorkerTileRenderer`, and reports progress and results. Heartbeats come from the socket thread, which rendering
/// never blocks.
public final class Worker: Sendable {
    public let options: WorkerOptions
    let renderer: any WorkerTileRenderer
    let logger: Logger
    let stopFlag = StopFlag()
    let stoppedFlag = StopFlag()
    private let countersBox = Mutex(WorkerCounters())

    public init(options: WorkerOptions, renderer: any WorkerTileRenderer, logger: Logger = Logger(label: "tessera.worker")) {
        self.options = options
        self.renderer = renderer
        self.logger = logger
    }

    public var counters: WorkerCounters { countersBox.withLock { $0 } }
    func update(_ body: (inout WorkerCounters) -> Void) { countersBox.withLock { body(&$0) } }

    /// Asks the worker to drain: no new tiles; running ones finish (or are handed back after the drain timeout).
    public func requestStop() { stopFlag.set() }

    /// Runs on the calling thread until drained after `requestStop()`.
    public func run() throws {
        defer { stoppedFlag.set() }
        let loop = try WorkerLoop(worker: self)
        try loop.run()
    }

    /// Runs on a new thread.
    public func start() {
        let thread = Thread { [self] in
            do { try run() } catch { logger.error("worker stopped: \(error)") }
        }
        thread.name = "tessera-worker-socket"
        thread.start()
    }

    public var isStopped: Bool { stoppedFlag.isSet }

    public func waitUntilStopped(timeoutSeconds: Double = 60) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !stoppedFlag.isSet && Date() < deadline { usleep(5_000) }
    }
}
