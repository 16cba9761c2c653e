/// The heartbeat rules of docs/protocol.md §9.2 for one peer, as a value the socket thread keeps
/// per connection: when to send a HEARTBEAT and when the peer counts as dead.
///
/// Time is passed in rather than read, so the rules are testable without sleeping.
public struct PeerLiveness: Sendable, Equatable {
    public let heartbeat: Duration
    public let liveness: Int
    public private(set) var lastSent: ContinuousClock.Instant
    public private(set) var lastReceived: ContinuousClock.Instant

    /// Starts both clocks at `now`.
    public init(heartbeatMilliseconds: UInt32 = WireProtocol.defaultHeartbeatMilliseconds, liveness: UInt8 = WireProtocol.defaultLiveness, now: ContinuousClock.Instant) {
        self.heartbeat = .milliseconds(Int(max(heartbeatMilliseconds, 1)))
        self.liveness = Int(max(liveness, 1))
        self.lastSent = now
        self.lastReceived = now
    }

    /// Call after sending anything to the peer.
    public mutating func noteSent(at now: ContinuousClock.Instant) { lastSent = max(lastSent, now) }

    /// Call after receiving anything (valid) from the peer.
    public mutating func noteReceived(at now: ContinuousClock.Instant) { lastReceived = max(lastReceived, now) }

    /// True when nothing was sent for a whole interval, so a HEARTBEAT is due.
    public func heartbeatDue(at now: ContinuousClock.Instant) -> Bool { now - lastSent >= heartbeat }

    /// True when nothing arrived for `liveness` intervals: the peer is dead.
    public func isExpired(at now: ContinuousClock.Instant) -> Bool { now - lastReceived >= heartbeat * liveness }

    /// The earliest instant at which ``heartbeatDue(at:)`` or ``isExpired(at:)`` can change:
    /// a poll loop waits at most until then.
    public var nextDeadline: ContinuousClock.Instant { min(lastSent + heartbeat, lastReceived + heartbeat * liveness) }
}
