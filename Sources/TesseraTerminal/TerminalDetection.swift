#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a file descriptor is an interactive terminal (so carriage-return redrawing makes sense).
public func isTerminal(fileDescriptor: Int32) -> Bool {
    isatty(fileDescriptor) == 1
}

/// Width of the terminal behind `fileDescriptor`, or nil when it is not a terminal or the size is unknown.
public func terminalColumns(fileDescriptor: Int32) -> Int? {
    var size = winsize()
    guard ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}
