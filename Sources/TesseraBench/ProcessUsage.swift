import Foundation

/// What this process has used so far, read from the kernel. Every benchmark prints these next to its wall times,
/// because on a shared machine the wall time alone hides how much CPU the benchmark actually got.
enum ProcessUsage {
    /// User + system CPU time of the process so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The process's peak resident set (VmHWM) in GB, 0 where /proc is unavailable.
    static func peakRSSGB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024 / 1e9
    }

    /// The 1, 5 and 15 minute load averages, as /proc/loadavg prints them.
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
    }
}
