import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT/SIGTERM into a call on a dispatch queue instead of killing the process, so services can shut down
/// gracefully (flush the job store, hand back tiles, stop child processes).
public final class SignalWatcher: @unchecked Sendable {
    // The sources are only resumed in init and cancelled in cancel(); both are thread-safe dispatch calls.
    private let sources: [any DispatchSourceSignal]

    /// Installs handlers for `signals`; `handler` receives the signal number, possibly several times.
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Restores default dispositions (a second Ctrl-C then kills at once).
    public func cancel() {
        for source in sources { source.cancel() }
    }
}
