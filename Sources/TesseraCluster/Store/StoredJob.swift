import Foundation
import GRDB

/// A job as persisted: its spec, where it is in its life cycle, and how many tiles it has.
public struct StoredJob: Sendable, Equatable {
    public var id: String
    public var seq: Int
    public var priority: Int
    public var state: JobState
    public var spec: UpscaleJobSpec
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var tileCount: Int
    public var error: String?
    public var createdAt: Double
    public var finishedAt: Double?
}

extension StoredJob: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"

    public init(row: Row) throws {
        id = row["id"]
        seq = row["seq"]
        priority = row["priority"]
        state = JobState(rawValue: row["state"]) ?? .failed
        let specText: String = row["spec"]
        spec = try JSONDecoder().decode(UpscaleJobSpec.self, from: Data(specText.utf8))
        sourceWidth = row["sourceWidth"]
        sourceHeight = row["sourceHeight"]
        tileCount = row["tileCount"]
        error = row["error"]
        createdAt = row["createdAt"]
        finishedAt = row["finishedAt"]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["seq"] = seq
        container["priority"] = priority
        container["state"] = state.rawValue
        container["spec"] = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        container["sourceWidth"] = sourceWidth
        container["sourceHeight"] = sourceHeight
        container["tileCount"] = tileCount
        container["error"] = error
        container["createdAt"] = createdAt
        container["finishedAt"] = finishedAt
    }
}

/// A tile's persisted state.
public struct StoredTile: Sendable, Equatable {
    public var jobId: String
    public var index: Int
    public var state: TileState
    public var failures: Int
    public var checksum: String?
    public var workerId: String?
}

/// One row of the attempt history: who rendered which tile, and how it ended.
public struct StoredAttempt: Sendable, Equatable {
    public var id: Int64
    public var jobId: String
    public var index: Int
    public var workerId: String
    public var startedAt: Double
    public var endedAt: Double?
    public var outcome: String?
    public var reason: String?
}
