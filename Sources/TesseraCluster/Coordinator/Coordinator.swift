import Foundation
import Logging
import Synchronization

/// The coordinator service: owns the worker and client ROUTER sockets on one explicit thread, dispatches tiles to
/// workers that ask for them, persists progress in the job store and assembles finished jobs.
///
/// Use `run()` to serve on the calling thread (the `tessera coordinator` command), or `start()` to serve on a new
/// thread (tests, local mode in-process, benchmarks). `requestStop()` ends the loop from any thread; the loop then
/// flushes the store and closes its sockets.
public final class Coordinator: Sendable {
    public let config: CoordinatorConfig
    let logger: Logger
    let stopFlag = StopFlag()
    private let countersBox = Mutex(CoordinatorCounters())
    private let endpointsBox = Mutex<CoordinatorEndpoints?>(nil)
    private let startup = Mutex<Result<CoordinatorEndpoints, ClusterError>?>(nil)

    public init(config: CoordinatorConfig, logger: Logger = Logger(label: "tessera.coordinator")) {
        self.config = config
        self.logger = logger
    }

    /// Counters as of the last loop iteration.
    public var counters: CoordinatorCounters { countersBox.withLock { $0 } }

    /// The bound endpoints, once the sockets are bound.
    public var endpoints: CoordinatorEndpoints? { endpointsBox.withLock { $0 } }

    public func requestStop() { stopFlag.set() }

    /// Serves on the calling thread until `requestStop()` (or a fatal error while starting).
    public func run() throws {
        // The loop (and with it the database connection and sockets) is released before `stoppedFlag` is set, so a
        // coordinator started right after this one returns can open the same state directory.
        defer { stoppedFlag.set() }
        try serve()
    }

    private func serve() throws {
        let loop: CoordinatorLoop
        do {
            loop = try CoordinatorLoop(coordinator: self)
        } catch {
            let failure = (error as? ClusterError) ?? .processFailure("\(error)")
            startup.withLock { $0 = .failure(failure) }
            throw failure
        }
        endpointsBox.withLock { $0 = loop.endpoints }
        startup.withLock { $0 = .success(loop.endpoints) }
        try loop.run()
    }

    /// Starts serving on a new thread and returns once the sockets are bound (or throws why they could not be).
    @discardableResult
    public func start() throws -> CoordinatorEndpoints {
        let thread = Thread { [self] in
            do { try run() } catch { logger.error("coordinator stopped: \(error)") }
        }
        thread.name = "tessera-coordinator"
        thread.start()
        while true {
            if let result = startup.withLock({ $0 }) { return try result.get() }
            usleep(2_000)
        }
    }

    /// Blocks until the loop has exited after `requestStop()`.
    public func waitUntilStopped(timeoutSeconds: Double = 30) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !stoppedFlag.isSet && Date() < deadline { usleep(5_000) }
    }

    let stoppedFlag = StopFlag()

    func publish(_ counters: CoordinatorCounters) {
        countersBox.withLock { $0 = counters }
    }
}
