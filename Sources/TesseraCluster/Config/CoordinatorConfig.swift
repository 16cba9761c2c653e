import Foundation
import TOMLKit

/// Coordinator settings, read from a TOML file (`coordinator/coordinator.toml` holds the defaults).
///
/// Every key is optional; a missing key takes the default below. A relative `state_dir` is resolved against the
/// current directory, like any path given on a command line.
public struct CoordinatorConfig: Sendable, Equatable, Decodable {
    /// ROUTER endpoint workers connect to.
    public var workerEndpoint = "tcp://127.0.0.1:5555"
    /// ROUTER endpoint clients (`tessera submit`, `status`, …) connect to.
    public var clientEndpoint = "tcp://127.0.0.1:5556"
    /// Directory holding the SQLite job store and one folder per job.
    public var stateDir = "tessera-state"
    /// Heartbeat period in both directions.
    public var heartbeatMs = 1000
    /// A peer silent for `liveness` heartbeat periods is considered dead.
    public var liveness = 3
    /// Attempts per tile before the job fails.
    public var maxAttempts = 3
    /// Failed tiles after which a worker is blocklisted for a job.
    public var blocklistAfterFailures = 3
    /// Lease granted for a tile = base + per-megapixel × tile megapixels; every PROGRESS renews it.
    public var leaseBaseMs = 10_000
    public var leasePerMegapixelMs = 60_000
    /// Messages larger than this are dropped unread.
    public var maxMessageBytes = 64 << 20

    public init() {}

    enum Section: String, CodingKey { case coordinator }
    enum Keys: String, CodingKey {
        case workerEndpoint = "worker_endpoint", clientEndpoint = "client_endpoint", stateDir = "state_dir"
        case heartbeatMs = "heartbeat_ms", liveness, maxAttempts = "max_attempts"
        case blocklistAfterFailures = "blocklist_after_failures", leaseBaseMs = "lease_base_ms"
        case leasePerMegapixelMs = "lease_per_megapixel_ms", maxMessageBytes = "max_message_bytes"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let root = try decoder.container(keyedBy: Section.self)
        guard root.contains(.coordinator) else { return }
        let c = try root.nestedContainer(keyedBy: Keys.self, forKey: .coordinator)
        workerEndpoint = try c.decodeIfPresent(String.self, forKey: .workerEndpoint) ?? workerEndpoint
        clientEndpoint = try c.decodeIfPresent(String.self, forKey: .clientEndpoint) ?? clientEndpoint
        stateDir = try c.decodeIfPresent(String.self, forKey: .stateDir) ?? stateDir
        heartbeatMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatMs) ?? heartbeatMs
        liveness = try c.decodeIfPresent(Int.self, forKey: .liveness) ?? liveness
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? maxAttempts
        blocklistAfterFailures =
            try c.decodeIfPresent(Int.self, forKey: .blocklistAfterFailures) ?? blocklistAfterFailures
        leaseBaseMs = try c.decodeIfPresent(Int.self, forKey: .leaseBaseMs) ?? leaseBaseMs
        leasePerMegapixelMs = try c.decodeIfPresent(Int.self, forKey: .leasePerMegapixelMs) ?? leasePerMegapixelMs
        maxMessageBytes = try c.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? maxMessageBytes
    }

    /// Parses TOML text; `path` is only used in error messages.
    public static func parse(_ text: String, path: String = "<config>") throws -> CoordinatorConfig {
        let config: CoordinatorConfig
        do {
            config = try TOMLDecoder().decode(CoordinatorConfig.self, from: text)
        } catch let error as TOMLParseError {
            throw ClusterError.configInvalid(path: path, reason: "line \(error.source.begin.line): \(error.description)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ClusterError.configInvalid(path: path, reason: "\(key): \(context.debugDescription)")
        } catch {
            throw ClusterError.configInvalid(path: path, reason: "\(error)")
        }
        try config.validate(path: path)
        return config
    }

    /// Reads and parses a TOML file.
    public static func load(path: String) throws -> CoordinatorConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterError.fileUnreadable(path: path, reason: "cannot read configuration file")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public func validate(path: String = "<config>") throws {
        func bad(_ key: String, _ reason: String) -> ClusterError {
            .configInvalid(path: path, reason: "coordinator.\(key) \(reason)")
        }
        guard workerEndpoint.contains("://") else { throw bad("worker_endpoint", "is not an endpoint URL") }
        guard clientEndpoint.contains("://") else { throw bad("client_endpoint", "is not an endpoint URL") }
        guard workerEndpoint != clientEndpoint || workerEndpoint.hasSuffix(":*") else {
            throw bad("client_endpoint", "must differ from worker_endpoint")
        }
        guard !stateDir.isEmpty else { throw bad("state_dir", "must not be empty") }
        guard (10...60_000).contains(heartbeatMs) else { throw bad("heartbeat_ms", "must be in 10...60000") }
        guard (1...100).contains(liveness) else { throw bad("liveness", "must be in 1...100") }
        guard (1...100).contains(maxAttempts) else { throw bad("max_attempts", "must be in 1...100") }
        guard blocklistAfterFailures >= 1 else { throw bad("blocklist_after_failures", "must be at least 1") }
        guard leaseBaseMs >= 1 && leasePerMegapixelMs >= 0 else { throw bad("lease_base_ms", "must be positive") }
        guard maxMessageBytes >= 1 << 16 else { throw bad("max_message_bytes", "must be at least 65536") }
    }

    /// Lease length for a tile of `pixels` output pixels.
    public func leaseSeconds(tilePixels: Int) -> Double {
        (Double(leaseBaseMs) + Double(leasePerMegapixelMs) * Double(tilePixels) / 1_000_000) / 1000
    }
}
