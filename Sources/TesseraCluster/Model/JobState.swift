/// Life cycle of a job in the coordinator.
public enum JobState: String, Codable, Sendable {
    case queued, running, done, failed, cancelled

    /// Whether the job will never change again.
    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}

/// Life cycle of one tile. Leases live only in the coordinator's memory: after a restart every unfinished tile is
/// pending again, which is exactly what must happen to tiles whose worker may have gone away.
public enum TileState: String, Codable, Sendable {
    case pending, done
}
