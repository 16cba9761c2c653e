import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes a child process (coordinator or worker started by `tessera upscale --local`) exit when its parent dies,
/// even by SIGKILL, so local mode never leaves orphans.
///
/// Two layers: `PR_SET_PDEATHSIG` (the kernel sends `signal` when the parent exits), and a watchdog thread that
/// notices re-parenting, which covers the race where the parent died before `prctl` ran.
public enum ParentDeathWatch {
    /// Environment variable local mode sets in its children to the parent's pid.
    public static let environmentKey = "TESSERA_PARENT_PID"

    /// Arms the watch when `TESSERA_PARENT_PID` is set; `onParentDeath` runs at most once (default: exit(1)).
    public static func armIfRequested(onParentDeath: @escaping @Sendable () -> Void = { exit(1) }) {
        guard let text = ProcessInfo.processInfo.environment[environmentKey], let parent = pid_t(text) else { return }
        setParentDeathSignal(SIGTERM)
        if getppid() != parent {
            onParentDeath()
            return
        }
        let thread = Thread {
            while getppid() == parent { usleep(200_000) }
            onParentDeath()
        }
        thread.name = "tessera-parent-watch"
        thread.start()
    }

    /// `prctl(PR_SET_PDEATHSIG, signal)`. prctl is variadic in C, which Swift cannot call directly, so it is looked
    /// up and called through a fixed-arity pointer (integer arguments pass the same way on Linux ABIs).
    @discardableResult
    public static func setParentDeathSignal(_ signal: Int32) -> Bool {
        #if os(Linux)
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        // A nil handle is RTLD_DEFAULT: search the libraries already loaded (libc).
        guard let symbol = dlsym(nil, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        let PR_SET_PDEATHSIG: Int32 = 1
        return prctl(PR_SET_PDEATHSIG, UInt(signal), 0, 0, 0) == 0
        #else
        return false
        #endif
    }
}
