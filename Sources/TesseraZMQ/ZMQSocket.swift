import CZeroMQ
import Foundation

/// One libzmq socket.
///
/// **Threading rule.** A ZeroMQ socket is not thread-safe. A `ZMQSocket` must be created, used
/// and closed by ONE thread (the "socket thread"); it is deliberately not `Sendable`, so the
/// compiler rejects sharing it. Other threads talk to the socket thread through a
/// ``ZMQMailbox`` (an inproc PUSH/PULL pair whose sending end is lock-protected and `Sendable`),
/// and the socket thread polls the mailbox together with its network sockets (``ZMQPoller``).
/// To stop a socket thread that is blocked in `receive`, call ``ZMQContext/shutdown()`` from
/// anywhere: the call then throws a ``ZMQError`` of kind `.terminated`.
///
/// Messages are lists of frames (`[Data]`); a multipart message is sent and delivered atomically.
/// The socket is closed on ``close()`` or deinit. Sockets start with linger 0 (unsent messages are
/// dropped on close, so shutdown never hangs); set ``SocketOption/linger(milliseconds:)`` to change it.
public final class ZMQSocket {
    /// The socket's pattern.
    public let type: SocketType
    /// Largest number of frames `receive` accepts in one message; longer messages are drained
    /// and reported as a `.messageTooLarge` error, so a hostile peer cannot grow memory by
    /// sending endless frames (ZMQ_MAXMSGSIZE only bounds the size of each frame).
    public var maxFramesPerMessage: Int = 64

    let context: ZMQContext
    private(set) var handle: UnsafeMutableRawPointer?

    init(context: ZMQContext, type: SocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.type = type
        self.handle = handle
        // libzmq's default linger (-1) makes closing a socket with undeliverable messages block
        // context termination forever; a service should rather drop them and exit.
        var zero: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
    }

    deinit { close() }

    /// Closes the socket now (idempotent). Pending outgoing messages are kept for at most the
    /// configured linger.
    public func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle == nil }

    func liveHandle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation() + " on a closed socket") }
        return handle
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, e.g. `tcp://127.0.0.1:*` (ephemeral port; read ``lastEndpoint()``)
    /// or `inproc://name`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let h = try liveHandle("bind \(endpoint)")
        if zmq_bind(h, endpoint) != 0 { throw ZMQError.last("bind \(endpoint)") }
    }

    /// Connects to `endpoint`; libzmq reconnects by itself when the peer goes away.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let h = try liveHandle("connect \(endpoint)")
        if zmq_connect(h, endpoint) != 0 { throw ZMQError.last("connect \(endpoint)") }
    }

    /// Undoes ``bind(_:)``.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let h = try liveHandle("unbind \(endpoint)")
        if zmq_unbind(h, endpoint) != 0 { throw ZMQError.last("unbind \(endpoint)") }
    }

    /// Undoes ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let h = try liveHandle("disconnect \(endpoint)")
        if zmq_disconnect(h, endpoint) != 0 { throw ZMQError.last("disconnect \(endpoint)") }
    }

    /// The endpoint of the last bind or connect (ZMQ_LAST_ENDPOINT), with the real port after
    /// binding `tcp://host:*`.
    public func lastEndpoint() throws(ZMQError) -> String {
        let bytes = try bytesOption(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT", capacity: 1024)
        // libzmq includes the C string terminator in the reported length.
        let text = bytes.prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// This socket's routing id (ZMQ_ROUTING_ID); empty if none was set.
    public func routingID() throws(ZMQError) -> Data {
        try bytesOption(ZMQ_ROUTING_ID, name: "ZMQ_ROUTING_ID", capacity: 256)
    }

    // MARK: Options

    /// Sets one option.
    public func setOption(_ option: SocketOption) throws(ZMQError) {
        let h = try liveHandle("set \(option.name)")
        if option.apply(to: h) != 0 { throw ZMQError.last("set \(option.name)") }
    }

    /// Sets several options in order.
    public func setOptions(_ options: [SocketOption]) throws(ZMQError) {
        for option in options { try setOption(option) }
    }

    private func bytesOption(_ id: Int32, name: String, capacity: Int) throws(ZMQError) -> Data {
        let h = try liveHandle("get \(name)")
        var buffer = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        if zmq_getsockopt(h, id, &buffer, &size) != 0 { throw ZMQError.last("get \(name)") }
        return Data(buffer[0..<size])
    }

    // MARK: Sending

    /// Sends a multipart message, blocking while the high-water mark is reached (or until
    /// ``SocketOption/sendTimeout(milliseconds:)`` expires: then `.wouldBlock`).
    /// A ROUTER sends to the peer named by the first frame.
    public func send(_ frames: [Data]) throws(ZMQError) {
        _ = try sendFrames(frames, dontWait: false)
    }

    /// Byte-array variant of ``send(_:)-([Data])``.
    public func send(_ frames: [[UInt8]]) throws(ZMQError) {
        _ = try sendFrames(frames, dontWait: false)
    }

    /// Sends without blocking; returns `false` (nothing sent) when the message cannot be queued
    /// right now (EAGAIN).
    public func trySend(_ frames: [Data]) throws(ZMQError) -> Bool {
        try sendFrames(frames, dontWait: true)
    }

    private func sendFrames<Frame: ContiguousBytes>(_ frames: [Frame], dontWait: Bool) throws(ZMQError) -> Bool {
        let h = try liveHandle("send")
        guard !frames.isEmpty else { throw ZMQError(code: EINVAL, operation: "send: a message needs at least one frame") }
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(h, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZMQError.last("send frame \(index + 1) of \(frames.count)")
                if error.kind == .interrupted { continue }
                // libzmq queues all parts of a message once the first is accepted, so a
                // would-block can only happen on the first frame: nothing was sent.
                if error.kind == .wouldBlock && dontWait && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    // MARK: Receiving

    /// Blocks until a whole message arrives (or ``SocketOption/receiveTimeout(milliseconds:)``
    /// expires: `.wouldBlock`). Interrupted system calls are retried.
    public func receive() throws(ZMQError) -> [Data] {
        while true {
            if let frames = try receiveFrames(dontWait: false) { return frames }
        }
    }

    /// Returns a waiting message, or `nil` if there is none right now.
    public func tryReceive() throws(ZMQError) -> [Data]? {
        try receiveFrames(dontWait: true)
    }

    /// Waits at most `timeoutMilliseconds` (-1 = forever) for a message; `nil` on timeout.
    public func receive(timeoutMilliseconds: Int) throws(ZMQError) -> [Data]? {
        if let frames = try tryReceive() { return frames }
        if timeoutMilliseconds == 0 { return nil }
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            var remaining = timeoutMilliseconds
            if timeoutMilliseconds >= 0 {
                let left = deadline - ContinuousClock.now
                remaining = max(0, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            }
            let ready = try ZMQPoller.poll([PollItem(socket: self, events: .readable)], timeoutMilliseconds: remaining)
            if ready[0].contains(.readable), let frames = try tryReceive() { return frames }
            if timeoutMilliseconds >= 0 && ContinuousClock.now >= deadline { return nil }
        }
    }

    private func receiveFrames(dontWait: Bool) throws(ZMQError) -> [Data]? {
        let h = try liveHandle("receive")
        var frames: [Data] = []
        var tooMany = false
        var more = true
        while more {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags: Int32 = frames.isEmpty && !tooMany && dontWait ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(&message, h, flags) < 0 {
                let error = ZMQError.last("receive")
                if frames.isEmpty && !tooMany {
                    if error.kind == .wouldBlock && dontWait { return nil }
                    if error.kind == .interrupted { return nil }
                } else if error.kind == .interrupted {
                    continue  // the remaining parts are already queued; just ask again
                }
                throw error
            }
            more = zmq_msg_more(&message) != 0
            if tooMany { continue }
            if frames.count == maxFramesPerMessage {
                tooMany = true
                frames.removeAll()
                continue
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append(Data())
            } else {
                frames.append(Data(bytes: zmq_msg_data(&message), count: size))
            }
        }
        if tooMany {
            throw ZMQError(code: EMSGSIZE, operation: "receive: message has more than \(maxFramesPerMessage) frames (dropped)")
        }
        return frames
    }
}
