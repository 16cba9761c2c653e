/// Errors of the cluster layer, each naming what was wrong so the CLI can print one clear line.
public enum ClusterError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameter(field: String, reason: String)
    case unknownJob(String)
    case jobNotFinished(id: String, state: JobState)
    case jobFailed(id: String, reason: String)
    case storeFailure(String)
    case configInvalid(path: String, reason: String)
    case coordinatorUnreachable(endpoint: String, waitedSeconds: Double)
    case coordinatorRejected(String)
    case protocolViolation(String)
    case fileUnreadable(path: String, reason: String)
    case processFailure(String)

    public var description: String {
        switch self {
        case .invalidParameter(let field, let reason): return "invalid parameter \(field): \(reason)"
        case .unknownJob(let id): return "unknown job \(id)"
        case .jobNotFinished(let id, let state): return "job \(id) is not finished (state: \(state.rawValue))"
        case .jobFailed(let id, let reason): return "job \(id) failed: \(reason)"
        case .storeFailure(let reason): return "job store: \(reason)"
        case .configInvalid(let path, let reason): return "\(path): \(reason)"
        case .coordinatorUnreachable(let endpoint, let waited):
            return "no answer from coordinator at \(endpoint) after \(Int(waited)) s (is `tessera coordinator` running?)"
        case .coordinatorRejected(let reason): return reason
        case .protocolViolation(let reason): return "protocol error: \(reason)"
        case .fileUnreadable(let path, let reason): return "\(path): \(reason)"
        case .processFailure(let reason): return reason
        }
    }
}
