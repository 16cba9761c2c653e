/// One moment of a job's progress, as a progress bar draws it.
public struct ProgressSnapshot: Sendable, Equatable {
    public var completed: Int
    public var total: Int
    /// Units per second, when known.
    public var rate: Double?
    /// Seconds left, when known.
    public var secondsRemaining: Double?
    /// Free text after the numbers (e.g. per-worker rates).
    public var detail: String

    public init(completed: Int, total: Int, rate: Double? = nil, secondsRemaining: Double? = nil, detail: String = "") {
        self.completed = completed
        self.total = total
        self.rate = rate
        self.secondsRemaining = secondsRemaining
        self.detail = detail
    }

    public var fraction: Double {
        total > 0 ? min(1, max(0, Double(completed) / Double(total))) : 0
    }
}
