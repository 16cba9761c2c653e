import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress display for long jobs: redraws one line in place on a terminal, prints plain lines otherwise.
///
/// Plain mode is throttled (at most one line per `plainInterval` seconds, plus the final line) and prints a line only
/// when something changed, or every `plainHeartbeat` seconds while nothing does (a long tile), so that logs stay
/// readable when output goes to a file or a CI log. Thread-safe: workers may report from any thread.
public final class ProgressBar: Sendable {
    /// Where text goes; the default writes to standard error so standard output stays clean for results.
    public typealias Sink = @Sendable (String) -> Void

    private struct State {
        var estimator: ETAEstimator
        var completed = 0
        var detail = ""
        var lastDraw = -Double.infinity
        /// What the last plain line showed, to skip repeating it.
        var lastDrawn: (completed: Int, detail: String)? = nil
        var finished = false
        var lastLineLength = 0
    }

    private let formatter: ProgressLineFormatter
    private let interactive: Bool
    private let plainInterval: Double
    private let plainHeartbeat: Double
    private let redrawInterval: Double
    private let clock: @Sendable () -> Double
    private let sink: Sink
    private let state: Mutex<State>

    /// - Parameters:
    ///   - total: number of units (tiles) the job has.
    ///   - interactive: draw in place with `\r`; pass `isTerminal(fileDescriptor: 2)` for the usual behaviour.
    public init(
        total: Int, label: String, unit: String = "tiles", interactive: Bool,
        plainInterval: Double = 1.0, plainHeartbeat: Double = 30, redrawInterval: Double = 0.1,
        clock: @escaping @Sendable () -> Double = monotonicSeconds,
        sink: @escaping Sink = writeToStandardError
    ) {
        self.formatter = ProgressLineFormatter(label: label, unit: unit)
        self.interactive = interactive
        self.plainInterval = plainInterval
        self.plainHeartbeat = plainHeartbeat
        self.redrawInterval = redrawInterval
        self.clock = clock
        self.sink = sink
        self.state = Mutex(State(estimator: ETAEstimator(total: total)))
    }

    /// A bar on standard error, interactive when standard error is a terminal.
    public static func onStandardError(total: Int, label: String, unit: String = "tiles") -> ProgressBar {
        ProgressBar(total: total, label: label, unit: unit, interactive: isTerminal(fileDescriptor: 2))
    }

    /// Reports that `completed` units are done; `detail` replaces the trailing free text.
    public func update(completed: Int, detail: String? = nil) {
        let now = clock()
        let line: String? = state.withLock { s in
            guard !s.finished else { return nil }
            if completed != s.completed || s.lastDraw == -.infinity {
                s.estimator.record(completed: completed, at: now)
            }
            s.completed = completed
            if let detail { s.detail = detail }
            let interval = interactive ? redrawInterval : plainInterval
            guard now - s.lastDraw >= interval else { return nil }
            if !interactive, let last = s.lastDrawn, last.completed == s.completed, last.detail == s.detail,
               now - s.lastDraw < plainHeartbeat {
                return nil
            }
            s.lastDraw = now
            s.lastDrawn = (s.completed, s.detail)
            return render(&s)
        }
        if let line { sink(line) }
    }

    /// Draws the final state once and ends the line; later updates are ignored.
    public func finish(completed: Int? = nil, detail: String? = nil) {
        let now = clock()
        let line: String? = state.withLock { s in
            guard !s.finished else { return nil }
            if let completed {
                s.estimator.record(completed: completed, at: now)
                s.completed = completed
            }
            if let detail { s.detail = detail }
            s.finished = true
            return render(&s) + (interactive ? "\n" : "")
        }
        if let line { sink(line) }
    }

    private func render(_ s: inout State) -> String {
        let snapshot = ProgressSnapshot(
            completed: s.completed, total: s.estimator.total, rate: s.estimator.rate,
            secondsRemaining: s.estimator.secondsRemaining, detail: s.detail)
        guard interactive else { return formatter.plainLine(snapshot) + "\n" }
        let text = formatter.barLine(snapshot)
        // Pad with spaces so a shorter line fully covers the previous one.
        let padding = max(0, s.lastLineLength - text.count)
        s.lastLineLength = text.count
        return "\r" + text + String(repeating: " ", count: padding)
    }
}

/// Seconds on a monotonic clock (unaffected by wall-clock changes).
@Sendable public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Writes text to file descriptor 2 without buffering, so bars appear immediately.
@Sendable public func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 { if errno == EINTR { continue } else { return } }
        offset += n
    }
}
