import CZeroMQ
import Foundation

/// A connection-level event reported by libzmq's socket monitor.
public struct MonitorEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case connected, connectDelayed, connectRetried, listening, bindFailed
        case accepted, acceptFailed, closed, closeFailed, disconnected, monitorStopped
        case handshakeSucceeded, handshakeFailed
        case other(UInt16)

        init(code: UInt16) {
            switch Int32(code) {
            case ZMQ_EVENT_CONNECTED: self = .connected
            case ZMQ_EVENT_CONNECT_DELAYED: self = .connectDelayed
            case ZMQ_EVENT_CONNECT_RETRIED: self = .connectRetried
            case ZMQ_EVENT_LISTENING: self = .listening
            case ZMQ_EVENT_BIND_FAILED: self = .bindFailed
            case ZMQ_EVENT_ACCEPTED: self = .accepted
            case ZMQ_EVENT_ACCEPT_FAILED: self = .acceptFailed
            case ZMQ_EVENT_CLOSED: self = .closed
            case ZMQ_EVENT_CLOSE_FAILED: self = .closeFailed
            case ZMQ_EVENT_DISCONNECTED: self = .disconnected
            case ZMQ_EVENT_MONITOR_STOPPED: self = .monitorStopped
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: self = .handshakeSucceeded
            case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: self = .handshakeFailed
            default: self = .other(code)
            }
        }
    }

    public var kind: Kind
    /// The event's value: a file descriptor, an errno or a reconnect interval, depending on kind.
    public var value: UInt32
    /// The endpoint the event concerns, e.g. `tcp://127.0.0.1:5555`.
    public var endpoint: String
}

/// Which events a monitor reports.
public struct MonitorEvents: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let connected = MonitorEvents(rawValue: ZMQ_EVENT_CONNECTED)
    public static let accepted = MonitorEvents(rawValue: ZMQ_EVENT_ACCEPTED)
    public static let disconnected = MonitorEvents(rawValue: ZMQ_EVENT_DISCONNECTED)
    public static let closed = MonitorEvents(rawValue: ZMQ_EVENT_CLOSED)
    public static let handshakeSucceeded = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    public static let all = MonitorEvents(rawValue: ZMQ_EVENT_ALL)
}

/// Reads events of a monitored socket. Owned by the same thread as that socket; poll
/// ``socket`` together with it.
public final class ZMQMonitor {
    /// The PAIR socket libzmq publishes events on.
    public let socket: ZMQSocket

    init(socket: ZMQSocket) { self.socket = socket }

    /// The next event if one arrives within `timeoutMilliseconds` (-1 = wait forever).
    public func next(timeoutMilliseconds: Int) throws(ZMQError) -> MonitorEvent? {
        guard let frames = try socket.receive(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return Self.decode(frames)
    }

    /// libzmq v1 monitor message: frame 1 is a native-endian u16 event + u32 value, frame 2 the
    /// endpoint. Returns nil for anything else (it never comes from libzmq itself).
    static func decode(_ frames: [Data]) -> MonitorEvent? {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let bytes = [UInt8](frames[0])
        let code = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        return MonitorEvent(kind: .init(code: code), value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
    }
}

extension ZMQSocket {
    /// Starts libzmq's monitor on this socket and returns a reader for its `events`.
    public func monitor(_ events: MonitorEvents = [.connected, .accepted, .disconnected]) throws(ZMQError) -> ZMQMonitor {
        let h = try liveHandle("monitor")
        let endpoint = "inproc://tessera-monitor-\(UUID().uuidString)"
        if zmq_socket_monitor(h, endpoint, events.rawValue) != 0 { throw ZMQError.last("zmq_socket_monitor") }
        let pair = try context.makeSocket(.pair)
        try pair.setOption(.linger(milliseconds: 0))
        try pair.connect(endpoint)
        return ZMQMonitor(socket: pair)
    }
}
