import CZeroMQ

/// Events a poll item waits for / reports.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// A message (or, for a file descriptor, data) can be read without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// Error condition (file descriptors only).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// One thing to wait on with ``ZMQPoller/poll(_:timeoutMilliseconds:)``: a socket owned by the
/// calling thread or a plain file descriptor (e.g. a pipe used to wake the loop).
public struct PollItem {
    public enum Target {
        case socket(ZMQSocket)
        case fileDescriptor(Int32)
    }

    public var target: Target
    public var events: PollEvents

    public init(socket: ZMQSocket, events: PollEvents = .readable) {
        self.target = .socket(socket)
        self.events = events
    }

    public init(fileDescriptor: Int32, events: PollEvents = .readable) {
        self.target = .fileDescriptor(fileDescriptor)
        self.events = events
    }
}

/// `zmq_poll` over several sockets and descriptors at once.
public enum ZMQPoller {
    /// Waits until at least one item is ready or `timeoutMilliseconds` passes (-1 = forever,
    /// 0 = just check). Returns the ready events for each item, in the order given (empty sets on
    /// timeout). A signal interrupting the wait is reported as a timeout (all empty) so callers
    /// simply loop; a terminated context throws `.terminated`.
    public static func poll(_ items: [PollItem], timeoutMilliseconds: Int) throws(ZMQError) -> [PollEvents] {
        var raw: [zmq_pollitem_t] = []
        raw.reserveCapacity(items.count)
        for item in items {
            var entry = zmq_pollitem_t()
            switch item.target {
            case .socket(let socket):
                entry.socket = try socket.liveHandle("poll")
            case .fileDescriptor(let fd):
                entry.socket = nil
                entry.fd = fd
            }
            entry.events = item.events.rawValue
            raw.append(entry)
        }
        let rc = raw.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if rc < 0 {
            let error = ZMQError.last("poll")
            if error.kind == .interrupted { return Array(repeating: [], count: items.count) }
            throw error
        }
        return raw.map { PollEvents(rawValue: $0.revents) }
    }
}
