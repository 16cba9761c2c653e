import ArgumentParser
import Logging

/// Sends swift-log output to standard error at the requested level (once per process).
enum CLILogging {
    nonisolated(unsafe) private static var bootstrapped = false

    static func logger(_ label: String, level: Logger.Level) -> Logger {
        if !bootstrapped {
            bootstrapped = true
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
