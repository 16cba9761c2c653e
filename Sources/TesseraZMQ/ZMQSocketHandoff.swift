import Foundation

/// Moves a socket, created on one thread, to the thread that will own it from then on.
///
/// `ZMQSocket` is not `Sendable`, so it cannot be captured by a `Thread` closure directly. Wrap it
/// here, capture the handoff, and call ``take()`` once on the new thread: the lock gives libzmq
/// the full memory barrier it requires when a socket changes threads, and the box empties itself
/// so the old thread cannot keep using it through the handoff.
public final class ZMQSocketHandoff: @unchecked Sendable {
    private let lock = NSLock()
    private var socket: ZMQSocket?

    /// Wraps `socket`; the caller must not use it after this.
    public init(_ socket: ZMQSocket) { self.socket = socket }

    /// The socket, the first time; nil afterwards.
    public func take() -> ZMQSocket? {
        lock.lock()
        defer { lock.unlock() }
        let taken = socket
        socket = nil
        return taken
    }
}
