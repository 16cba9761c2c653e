import CZeroMQ
import Foundation

/// A typed `zmq_setsockopt` value. Durations are in milliseconds, as libzmq takes them;
/// `-1` means "infinite" where libzmq allows it (linger, timeouts) and "unlimited" for
/// ``maxMessageSize(_:)``.
public enum SocketOption: Sendable, Equatable {
    /// How long `close` may wait to flush unsent messages (ZMQ_LINGER). ``ZMQSocket`` starts at 0
    /// (drop them) because libzmq's own default (-1, wait forever) can hang process exit.
    case linger(milliseconds: Int32)
    /// Outgoing queue limit in messages (ZMQ_SNDHWM); 0 = unlimited.
    case sendHighWaterMark(Int32)
    /// Incoming queue limit in messages (ZMQ_RCVHWM); 0 = unlimited.
    case receiveHighWaterMark(Int32)
    /// This socket's identity as seen by a ROUTER peer (ZMQ_ROUTING_ID): 1...255 bytes, first byte
    /// not 0. Set it before `connect`.
    case routingID(Data)
    /// Make a ROUTER fail with EHOSTUNREACH instead of silently dropping messages to unknown
    /// peers (ZMQ_ROUTER_MANDATORY).
    case routerMandatory(Bool)
    /// Largest single frame accepted from a peer; bigger frames disconnect it (ZMQ_MAXMSGSIZE).
    case maxMessageSize(Int64)
    /// Send ZMTP PING every interval (ZMQ_HEARTBEAT_IVL); 0 disables.
    case heartbeatInterval(milliseconds: Int32)
    /// Tell the peer to drop us after this long without traffic (ZMQ_HEARTBEAT_TTL).
    case heartbeatTTL(milliseconds: Int32)
    /// Drop the connection if no PONG arrives within this (ZMQ_HEARTBEAT_TIMEOUT).
    case heartbeatTimeout(milliseconds: Int32)
    /// First reconnect delay (ZMQ_RECONNECT_IVL).
    case reconnectInterval(milliseconds: Int32)
    /// Upper bound for exponential reconnect back-off (ZMQ_RECONNECT_IVL_MAX); 0 = no back-off.
    case reconnectIntervalMax(milliseconds: Int32)
    /// Queue messages only to completed connections (ZMQ_IMMEDIATE).
    case immediate(Bool)
    /// SUB only: receive messages whose first frame starts with this prefix (ZMQ_SUBSCRIBE).
    case subscribe(Data)
    /// SUB only: remove a subscription (ZMQ_UNSUBSCRIBE).
    case unsubscribe(Data)
    /// Blocking receive gives up with EAGAIN after this long (ZMQ_RCVTIMEO); -1 = never.
    case receiveTimeout(milliseconds: Int32)
    /// Blocking send gives up with EAGAIN after this long (ZMQ_SNDTIMEO); -1 = never.
    case sendTimeout(milliseconds: Int32)

    var name: String {
        switch self {
        case .linger: return "ZMQ_LINGER"
        case .sendHighWaterMark: return "ZMQ_SNDHWM"
        case .receiveHighWaterMark: return "ZMQ_RCVHWM"
        case .routingID: return "ZMQ_ROUTING_ID"
        case .routerMandatory: return "ZMQ_ROUTER_MANDATORY"
        case .maxMessageSize: return "ZMQ_MAXMSGSIZE"
        case .heartbeatInterval: return "ZMQ_HEARTBEAT_IVL"
        case .heartbeatTTL: return "ZMQ_HEARTBEAT_TTL"
        case .heartbeatTimeout: return "ZMQ_HEARTBEAT_TIMEOUT"
        case .reconnectInterval: return "ZMQ_RECONNECT_IVL"
        case .reconnectIntervalMax: return "ZMQ_RECONNECT_IVL_MAX"
        case .immediate: return "ZMQ_IMMEDIATE"
        case .subscribe: return "ZMQ_SUBSCRIBE"
        case .unsubscribe: return "ZMQ_UNSUBSCRIBE"
        case .receiveTimeout: return "ZMQ_RCVTIMEO"
        case .sendTimeout: return "ZMQ_SNDTIMEO"
        }
    }

    /// Calls `zmq_setsockopt` with the C representation libzmq expects for this option.
    func apply(to handle: UnsafeMutableRawPointer) -> Int32 {
        func int(_ id: Int32, _ value: Int32) -> Int32 {
            var v = value
            return zmq_setsockopt(handle, id, &v, MemoryLayout<Int32>.size)
        }
        func bytes(_ id: Int32, _ value: Data) -> Int32 {
            value.withUnsafeBytes { zmq_setsockopt(handle, id, $0.baseAddress, $0.count) }
        }
        switch self {
        case .linger(let ms): return int(ZMQ_LINGER, ms)
        case .sendHighWaterMark(let n): return int(ZMQ_SNDHWM, n)
        case .receiveHighWaterMark(let n): return int(ZMQ_RCVHWM, n)
        case .routingID(let id): return bytes(ZMQ_ROUTING_ID, id)
        case .routerMandatory(let on): return int(ZMQ_ROUTER_MANDATORY, on ? 1 : 0)
        case .maxMessageSize(let size):
            var v = size
            return zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &v, MemoryLayout<Int64>.size)
        case .heartbeatInterval(let ms): return int(ZMQ_HEARTBEAT_IVL, ms)
        case .heartbeatTTL(let ms): return int(ZMQ_HEARTBEAT_TTL, ms)
        case .heartbeatTimeout(let ms): return int(ZMQ_HEARTBEAT_TIMEOUT, ms)
        case .reconnectInterval(let ms): return int(ZMQ_RECONNECT_IVL, ms)
        case .reconnectIntervalMax(let ms): return int(ZMQ_RECONNECT_IVL_MAX, ms)
        case .immediate(let on): return int(ZMQ_IMMEDIATE, on ? 1 : 0)
        case .subscribe(let prefix): return bytes(ZMQ_SUBSCRIBE, prefix)
        case .unsubscribe(let prefix): return bytes(ZMQ_UNSUBSCRIBE, prefix)
        case .receiveTimeout(let ms): return int(ZMQ_RCVTIMEO, ms)
        case .sendTimeout(let ms): return int(ZMQ_SNDTIMEO, ms)
        }
    }
}
