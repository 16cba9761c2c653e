/// The command byte of a header frame (docs/protocol.md §4).
public enum Command: UInt8, Sendable, CaseIterable {
    case hello = 0x01
    case welcome = 0x02
    case ready = 0x03
    case tile = 0x04
    case progress = 0x05
    case result = 0x06
    case failed = 0x07
    case heartbeat = 0x08
    case disconnect = 0x09
    case error = 0x0A
    case revoke = 0x0B
    case submit = 0x20
    case status = 0x21
    case watch = 0x22
    case cancel = 0x23
    case fetch = 0x24
    case workers = 0x25
    case upload = 0x26
    case accepted = 0x30
    case jobStatus = 0x31
    case update = 0x32
    case workerList = 0x33
    case chunk = 0x34
    case ok = 0x35

    /// The spec's name, e.g. `JOB_STATUS`; used in error messages.
    public var name: String {
        switch self {
        case .hello: return "HELLO"
        case .welcome: return "WELCOME"
        case .ready: return "READY"
        case .tile: return "TILE"
        case .progress: return "PROGRESS"
        case .result: return "RESULT"
        case .failed: return "FAILED"
        case .heartbeat: return "HEARTBEAT"
        case .disconnect: return "DISCONNECT"
        case .error: return "ERROR"
        case .revoke: return "REVOKE"
        case .submit: return "SUBMIT"
        case .status: return "STATUS"
        case .watch: return "WATCH"
        case .cancel: return "CANCEL"
        case .fetch: return "FETCH"
        case .workers: return "WORKERS"
        case .upload: return "UPLOAD"
        case .accepted: return "ACCEPTED"
        case .jobStatus: return "JOB_STATUS"
        case .update: return "UPDATE"
        case .workerList: return "WORKER_LIST"
        case .chunk: return "CHUNK"
        case .ok: return "OK"
        }
    }

    /// Commands whose messages may carry payload frames.
    var allowsPayloads: Bool {
        switch self {
        case .tile, .result, .submit, .chunk, .upload: return true
        default: return false
        }
    }
}
