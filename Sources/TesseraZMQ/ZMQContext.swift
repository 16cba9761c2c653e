import CZeroMQ

/// A libzmq context: the I/O threads and the inproc namespace shared by its sockets.
///
/// Unlike sockets, a context is thread-safe, so it is `Sendable`: create one per process, hand it
/// to every thread, and let each thread make its own sockets with ``makeSocket(_:)``.
/// Every socket keeps its context alive, so the context is terminated (`zmq_ctx_term`) only after
/// the last socket has been closed. To stop threads blocked in `receive`, call ``shutdown()``:
/// their calls then fail with ``ZMQError/Kind/terminated`` and they should close their sockets.
public final class ZMQContext: @unchecked Sendable {
    // zmq_ctx_* functions are documented thread-safe; the pointer itself never changes.
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads (one is plenty below ~1 GB/s).
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if ioThreads != 1, zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads)) != 0 {
            let error = ZMQError.last("set ZMQ_IO_THREADS")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Creates a socket of `type` that belongs to this context. The socket must then be used by
    /// one thread at a time (see ``ZMQSocket``).
    public func makeSocket(_ type: SocketType) throws(ZMQError) -> ZMQSocket {
        try ZMQSocket(context: self, type: type)
    }

    /// Makes every blocking call on this context's sockets return `ETERM` from now on, without
    /// waiting for the sockets to close. Safe to call from any thread, more than once.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        // Retry on EINTR: zmq_ctx_term may be interrupted by a signal and must be called again.
        while zmq_ctx_term(handle) != 0, zmq_errno() == EINTR {}
    }
}
