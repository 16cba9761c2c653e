import Foundation

/// The way other threads hand messages to a socket thread.
///
/// The socket thread creates the mailbox, keeps ``inbox`` (a PULL socket bound to a unique
/// `inproc://` address) and polls it next to its network sockets; it gives ``poster`` to any
/// number of other threads or tasks. Posting never touches the socket thread's sockets, so the
/// one-thread-per-socket rule holds.
///
/// The mailbox is not `Sendable` (``inbox`` belongs to the socket thread); only ``poster`` is.
public final class ZMQMailbox {
    /// The receiving end, owned by the socket thread. Poll it with `PollItem(socket: inbox)`.
    public let inbox: ZMQSocket
    /// The sending end, safe to share between threads.
    public let poster: MailboxPoster
    /// The inproc address the inbox is bound to.
    public let endpoint: String

    /// Creates the pair inside `context`. `capacity` bounds queued, unread messages; beyond it
    /// ``MailboxPoster/post(_:)`` reports `false` instead of blocking the posting thread.
    public init(context: ZMQContext, capacity: Int32 = 10_000) throws(ZMQError) {
        endpoint = "inproc://tessera-mailbox-\(UUID().uuidString)"
        inbox = try context.makeSocket(.pull)
        try inbox.setOptions([.linger(milliseconds: 0), .receiveHighWaterMark(capacity)])
        try inbox.bind(endpoint)
        let pushSocket = try context.makeSocket(.push)
        try pushSocket.setOptions([.linger(milliseconds: 0), .sendHighWaterMark(capacity)])
        try pushSocket.connect(endpoint)
        poster = MailboxPoster(socket: pushSocket)
    }

    /// Receives the next posted message if one is waiting.
    public func tryReceive() throws(ZMQError) -> [Data]? { try inbox.tryReceive() }

    /// Waits at most `timeoutMilliseconds` for a posted message.
    public func receive(timeoutMilliseconds: Int) throws(ZMQError) -> [Data]? {
        try inbox.receive(timeoutMilliseconds: timeoutMilliseconds)
    }
}

/// The sending end of a ``ZMQMailbox``: a PUSH socket behind a lock, so any thread may post.
///
/// `@unchecked Sendable` because the wrapped socket is only ever touched while `lock` is held,
/// which also provides the memory barrier libzmq requires when a socket migrates between threads.
public final class MailboxPoster: @unchecked Sendable {
    private let lock = NSLock()
    private var socket: ZMQSocket?

    init(socket: ZMQSocket) { self.socket = socket }

    /// Queues `frames` for the socket thread without blocking. Returns `false` if the mailbox is
    /// full (the message was not queued); throws `.terminated` once the context shuts down and
    /// an error if the poster was closed.
    @discardableResult
    public func post(_ frames: [Data]) throws(ZMQError) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let socket else { throw ZMQError(code: ENOTSOCK, operation: "post to a closed mailbox") }
        return try socket.trySend(frames)
    }

    /// Closes the sending socket; later posts throw. Call it before the context is torn down if
    /// the poster may outlive the threads using it.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        socket?.close()
        socket = nil
    }
}
