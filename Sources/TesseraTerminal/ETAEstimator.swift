/// Estimates the remaining time of a job from how fast units of work have completed so far.
///
/// The rate is measured from the first observed completion rather than from the start, so a slow start-up (loading a
/// model, spawning workers) does not inflate every later estimate.
public struct ETAEstimator: Sendable, Equatable {
    public let total: Int
    private var firstSample: (time: Double, completed: Int)?
    private var lastSample: (time: Double, completed: Int)?

    public init(total: Int) {
        self.total = max(0, total)
    }

    /// Records that `completed` units were done at `time` (seconds on any monotonic clock).
    public mutating func record(completed: Int, at time: Double) {
        if firstSample == nil || completed < (lastSample?.completed ?? 0) {
            firstSample = (time, completed)
        }
        lastSample = (time, completed)
    }

    /// Units per second since the first sample, or nil until two distinct samples exist.
    public var rate: Double? {
        guard let first = firstSample, let last = lastSample else { return nil }
        let dt = last.time - first.time
        let dn = last.completed - first.completed
        guard dt > 0, dn > 0 else { return nil }
        return Double(dn) / dt
    }

    /// Seconds left at the measured rate; 0 when everything is done, nil when unknown.
    public var secondsRemaining: Double? {
        guard let last = lastSample else { return nil }
        if last.completed >= total { return 0 }
        guard let rate else { return nil }
        return Double(total - last.completed) / rate
    }

    public static func == (lhs: ETAEstimator, rhs: ETAEstimator) -> Bool {
        lhs.total == rhs.total && lhs.firstSample?.time == rhs.firstSample?.time
            && lhs.firstSample?.completed == rhs.firstSample?.completed
            && lhs.lastSample?.time == rhs.lastSample?.time && lhs.lastSample?.completed == rhs.lastSample?.completed
    }
}
