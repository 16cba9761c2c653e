import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the `zmq_errno()` code, libzmq's own `zmq_strerror` text and the
/// operation that failed (e.g. `"bind tcp://127.0.0.1:*"`).
///
/// Callers usually branch on ``kind``: `.wouldBlock` (EAGAIN: nothing to receive, or the send
/// high-water mark is reached in non-blocking mode), `.terminated` (ETERM: the context is being
/// shut down, so the owning thread must close its sockets and exit), `.hostUnreachable`
/// (EHOSTUNREACH: a ROUTER with `ROUTER_MANDATORY` was asked to send to a peer it does not know).
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The coarse classification callers act on.
    public enum Kind: Sendable, Equatable {
        case wouldBlock
        case terminated
        case hostUnreachable
        case interrupted
        case addressInUse
        case invalidArgument
        case messageTooLarge
        case notSupported
        case other
    }

    /// The raw `zmq_errno()` value (POSIX errno or one of libzmq's ZMQ_HAUSNUMERO codes).
    public let code: Int32
    /// What was being done, for the message.
    public let operation: String
    /// `zmq_strerror(code)`.
    public let message: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        if let text = zmq_strerror(code) {
            self.message = String(cString: text)
        } else {
            self.message = "error \(code)"
        }
    }

    /// Captures `zmq_errno()` right after a failed call.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }

    public var kind: Kind {
        switch code {
        case EAGAIN: return .wouldBlock
        case ETERM: return .terminated
        case EHOSTUNREACH: return .hostUnreachable
        case EINTR: return .interrupted
        case EADDRINUSE: return .addressInUse
        case EINVAL: return .invalidArgument
        case EMSGSIZE: return .messageTooLarge
        case ENOTSUP, EPROTONOSUPPORT: return .notSupported
        default: return .other
        }
    }

    public var description: String {
        "zmq \(operation) failed: \(message) (errno \(code))"
    }
}
