/// What the coordinator has seen, for logs, tests and the benchmark. Drops are counted by reason
/// ("malformed", "unsupported_version", "stale_attempt", "duplicate", …).
public struct CoordinatorCounters: Sendable, Equatable {
    public var messagesReceived = 0
    public var messagesDropped: [String: Int] = [:]
    public var tilesAssigned = 0
    /// Results accepted (first valid result of a tile), before their files are durable.
    public var tilesAccepted = 0
    /// Tiles whose result file is durable and recorded as done.
    public var tilesCompleted = 0
    public var duplicateResults = 0
    public var duplicateMismatches = 0
    public var lateResultsAccepted = 0
    public var tilesRequeued = 0
    public var workersLost = 0
    public var jobsCompleted = 0
    public var jobsFailed = 0

    public init() {}

    public var totalDropped: Int { messagesDropped.values.reduce(0, +) }

    mutating func drop(_ reason: String) { messagesDropped[reason, default: 0] += 1 }
}
