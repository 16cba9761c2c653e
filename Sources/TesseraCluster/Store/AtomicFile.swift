#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a crash at any moment leaves either the old content or the complete new content, never a
/// torn file: temp file in the same directory → fsync → rename → fsync of the directory (so the rename itself is on
/// disk before anyone is told the file exists).
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = parentDirectory(of: path)
        let temp = "\(path).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError("cannot create \(temp)") }
        var ok = false
        defer {
            if !ok { close(fd); unlink(temp) }
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw posixError("cannot write \(temp)")
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw posixError("cannot fsync \(temp)") }
        ok = true
        close(fd)
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw posixError("cannot rename \(temp) to \(path)")
        }
        try syncDirectory(directory)
    }

    /// Makes a file some other code wrote at `temporaryPath` durable and moves it to `path` atomically.
    public static func commit(temporaryPath: String, to path: String) throws {
        let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("cannot open \(temporaryPath)") }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw posixError("cannot fsync \(temporaryPath)") }
        guard rename(temporaryPath, path) == 0 else { throw posixError("cannot rename \(temporaryPath) to \(path)") }
        try syncDirectory(parentDirectory(of: path))
    }

    /// fsyncs a directory so entries created or renamed in it survive a crash.
    public static func syncDirectory(_ directory: String) throws {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw posixError("cannot open directory \(directory)") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw posixError("cannot fsync directory \(directory)") }
    }

    /// Creates `path` and its parents (like `mkdir -p`), syncing each new entry's parent.
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) == 0 {
                try syncDirectory(parentDirectory(of: current))
            } else if errno != EEXIST {
                throw posixError("cannot create directory \(current)")
            }
        }
    }

    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("cannot open \(path)") }
        defer { close(fd) }
        var result = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw posixError("cannot read \(path)")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func posixError(_ what: String) -> ClusterError {
        .storeFailure("\(what): \(String(cString: strerror(errno)))")
    }
}
