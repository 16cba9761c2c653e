import Logging

/// Loggers for embedding the cluster in tools that do not want its log lines (benchmarks, tests).
public enum ClusterLogs {
    /// A logger that only lets `critical` messages through.
    public static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}
