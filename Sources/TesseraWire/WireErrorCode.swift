/// Error codes carried by ERROR, FAILED and DISCONNECT (u16 on the wire; docs/protocol.md §8).
///
/// 1xx: the message itself was bad (protocol); 2xx: the request was well-formed but refused;
/// 3xx: rendering a tile failed. Unknown codes decode to ``other(_:)`` so newer peers never make
/// older ones fail.
public enum WireErrorCode: Sendable, Hashable, CustomStringConvertible {
    case none
    case malformed
    case unsupportedVersion
    case unknownCommand
    case tooLarge
    case checksumMismatch
    case notRegistered
    case duplicateWorker
    case heartbeatTimeout
    case unknownJob
    case unknownTile
    case staleAttempt
    case leaseExpired
    case invalidParameters
    case jobNotFinished
    case outOfRange
    case cancelled
    case shuttingDown
    case busy
    case internalError
    case modelNotFound
    case rendererUnavailable
    case renderFailed
    case outOfMemory
    case other(UInt16)

    /// The code as sent on the wire.
    public var rawValue: UInt16 {
        switch self {
        case .none: return 0
        case .malformed: return 100
        case .unsupportedVersion: return 101
        case .unknownCommand: return 102
        case .tooLarge: return 103
        case .checksumMismatch: return 104
        case .notRegistered: return 105
        case .duplicateWorker: return 106
        case .heartbeatTimeout: return 107
        case .unknownJob: return 200
        case .unknownTile: return 201
        case .staleAttempt: return 202
        case .leaseExpired: return 203
        case .invalidParameters: return 204
        case .jobNotFinished: return 205
        case .outOfRange: return 206
        case .cancelled: return 207
        case .shuttingDown: return 208
        case .busy: return 209
        case .internalError: return 210
        case .modelNotFound: return 300
        case .rendererUnavailable: return 301
        case .renderFailed: return 302
        case .outOfMemory: return 303
        case .other(let raw): return raw
        }
    }

    /// Decodes a wire value; never fails.
    public init(rawValue: UInt16) {
        switch rawValue {
        case 0: self = .none
        case 100: self = .malformed
        case 101: self = .unsupportedVersion
        case 102: self = .unknownCommand
        case 103: self = .tooLarge
        case 104: self = .checksumMismatch
        case 105: self = .notRegistered
        case 106: self = .duplicateWorker
        case 107: self = .heartbeatTimeout
        case 200: self = .unknownJob
        case 201: self = .unknownTile
        case 202: self = .staleAttempt
        case 203: self = .leaseExpired
        case 204: self = .invalidParameters
        case 205: self = .jobNotFinished
        case 206: self = .outOfRange
        case 207: self = .cancelled
        case 208: self = .shuttingDown
        case 209: self = .busy
        case 210: self = .internalError
        case 300: self = .modelNotFound
        case 301: self = .rendererUnavailable
        case 302: self = .renderFailed
        case 303: self = .outOfMemory
        default: self = .other(rawValue)
        }
    }

    /// The spec's name, e.g. `UNKNOWN_JOB`.
    public var name: String {
        switch self {
        case .none: return "NONE"
        case .malformed: return "MALFORMED"
        case .unsupportedVersion: return "UNSUPPORTED_VERSION"
        case .unknownCommand: return "UNKNOWN_COMMAND"
        case .tooLarge: return "TOO_LARGE"
        case .checksumMismatch: return "CHECKSUM_MISMATCH"
        case .notRegistered: return "NOT_REGISTERED"
        case .duplicateWorker: return "DUPLICATE_WORKER"
        case .heartbeatTimeout: return "HEARTBEAT_TIMEOUT"
        case .unknownJob: return "UNKNOWN_JOB"
        case .unknownTile: return "UNKNOWN_TILE"
        case .staleAttempt: return "STALE_ATTEMPT"
        case .leaseExpired: return "LEASE_EXPIRED"
        case .invalidParameters: return "INVALID_PARAMETERS"
        case .jobNotFinished: return "JOB_NOT_FINISHED"
        case .outOfRange: return "OUT_OF_RANGE"
        case .cancelled: return "CANCELLED"
        case .shuttingDown: return "SHUTTING_DOWN"
        case .busy: return "BUSY"
        case .internalError: return "INTERNAL"
        case .modelNotFound: return "MODEL_NOT_FOUND"
        case .rendererUnavailable: return "RENDERER_UNAVAILABLE"
        case .renderFailed: return "RENDER_FAILED"
        case .outOfMemory: return "OUT_OF_MEMORY"
        case .other(let raw): return "CODE_\(raw)"
        }
    }

    public var description: String { "\(name) (\(rawValue))" }

    // Hashable via the wire value so .other(200) and .unknownJob are the same code.
    public static func == (a: WireErrorCode, b: WireErrorCode) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
