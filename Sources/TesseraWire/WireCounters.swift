/// Tallies of what a receive loop saw, for logs and the WORKERS/status output. A value type
/// owned by the socket thread; copy it out to report it.
public struct WireCounters: Sendable, Equatable {
    /// Messages that decoded.
    public private(set) var accepted: Int = 0
    /// Messages that did not decode, in total and by the protocol code of the failure.
    public private(set) var rejected: Int = 0
    public private(set) var rejectedByCode: [WireErrorCode: Int] = [:]
    /// The most recent decode failure, for diagnostics.
    public private(set) var lastRejection: WireError?

    public init() {}

    /// Counts one received message.
    public mutating func record(_ received: ReceivedMessage) {
        switch received.result {
        case .success: accepted += 1
        case .failure(let error): recordRejection(error)
        }
    }

    /// Counts one decode failure.
    public mutating func recordRejection(_ error: WireError) {
        rejected += 1
        rejectedByCode[error.protocolCode, default: 0] += 1
        lastRejection = error
    }
}
