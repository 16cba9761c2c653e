import Foundation
import TesseraZMQ

/// One message taken off a socket: the sender's routing id (ROUTER sockets only) and either the
/// decoded message or why it could not be decoded. Decoding failures are values, not thrown, so
/// a receive loop can answer ERROR to the right peer, count the failure and carry on
/// (docs/protocol.md §9.4) while transport failures still throw.
public struct ReceivedMessage: Sendable {
    /// The peer's routing id on a ROUTER socket; nil on other socket types.
    public var routingID: Data?
    public var result: Result<Message, WireError>

    public init(routingID: Data?, result: Result<Message, WireError>) {
        self.routingID = routingID
        self.result = result
    }

    /// Splits raw frames as received on a socket of `type` and decodes them.
    public static func decode(_ frames: [Data], socketType: SocketType, limits: WireLimits = .default) -> ReceivedMessage {
        if socketType == .router {
            guard let id = frames.first else { return ReceivedMessage(routingID: nil, result: .failure(.noFrames)) }
            return ReceivedMessage(routingID: id, result: Result { () throws(WireError) in try Message.decode(Array(frames.dropFirst()), limits: limits) })
        }
        return ReceivedMessage(routingID: nil, result: Result { () throws(WireError) in try Message.decode(frames, limits: limits) })
    }
}

extension ZMQSocket {
    /// Encodes and sends `message`. On a ROUTER pass the peer's `routingID`; other sockets
    /// leave it nil. Throws ``WireError`` if the message is invalid (nothing is sent)
    /// and ``ZMQError`` if the transport fails (e.g. `.hostUnreachable` for an unknown peer on a
    /// ROUTER with `routerMandatory`).
    public func send(_ message: Message, to routingID: Data? = nil, compression: PayloadCompression = .lz4, limits: WireLimits = .default) throws {
        var frames = try message.encode(compression: compression, limits: limits)
        if let routingID {
            frames.insert(routingID, at: 0)
        } else if type == .router {
            throw ZMQError(code: EINVAL, operation: "send \(message.command.name) on a ROUTER without a routing id")
        }
        try send(frames)
    }

    /// Waits at most `timeoutMilliseconds` (-1 = forever, 0 = poll) for a message and decodes
    /// it; nil on timeout.
    public func receiveMessage(timeoutMilliseconds: Int, limits: WireLimits = .default) throws(ZMQError) -> ReceivedMessage? {
        guard let frames = try receive(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return ReceivedMessage.decode(frames, socketType: type, limits: limits)
    }

    /// Applies the socket options the protocol recommends (docs/protocol.md §2.1):
    /// linger 0, a frame-size cap from `limits`, ZMTP heartbeats, and `ROUTER_MANDATORY` on the
    /// coordinator so sends to vanished peers fail instead of vanishing.
    public func applyWireDefaults(limits: WireLimits = .default) throws(ZMQError) {
        try setOptions([
            .linger(milliseconds: 0),
            .maxMessageSize(limits.recommendedMaxFrameSize),
            .heartbeatInterval(milliseconds: Int32(WireProtocol.defaultHeartbeatMilliseconds)),
            .heartbeatTimeout(milliseconds: Int32(WireProtocol.defaultHeartbeatMilliseconds) * Int32(WireProtocol.defaultLiveness)),
        ])
        if type == .router { try setOption(.routerMandatory(true)) }
    }
}
