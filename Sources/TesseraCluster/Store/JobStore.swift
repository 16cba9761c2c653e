import Foundation
import GRDB

/// The coordinator's durable record of jobs, tiles, attempts, workers and blocklists (SQLite in WAL mode).
///
/// Only the coordinator loop uses it; every method is synchronous and each call is one transaction, so the state on
/// disk is always a consistent snapshot that a restarted coordinator can resume from.
public final class JobStore: Sendable {
    public let path: String
    private let db: DatabaseQueue

    /// Opens (creating if needed) `tessera.sqlite` in `directory` and brings its schema up to date.
    public init(directory: String) throws {
        try AtomicFile.makeDirectories(directory)
        path = directory + "/tessera.sqlite"
        var config = Configuration()
        config.journalMode = .wal
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        // NORMAL is durable against process crashes (kill -9) in WAL mode; only power loss may drop the last commits,
        // and then the tile files (fsynced before their rows) are simply re-validated and re-rendered if missing.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            db = try DatabaseQueue(path: path, configuration: config)
            try JobStoreSchema.migrator.migrate(db)
        } catch {
            throw ClusterError.storeFailure("cannot open \(path): \(error)")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.write(body) } catch let e as ClusterError { throw e } catch {
            throw ClusterError.storeFailure("\(error)")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch { throw ClusterError.storeFailure("\(error)") }
    }

    /// Runs several mutations in one transaction (the coordinator batches per loop iteration).
    public func transaction(_ body: (JobStoreTransaction) throws -> Void) throws {
        try write { db in try body(JobStoreTransaction(db: db)) }
    }

    // MARK: Jobs

    /// Inserts a job with `tileCount` pending tiles; `seq` is assigned here (max + 1).
    @discardableResult
    public func insertJob(
        id: String, spec: UpscaleJobSpec, sourceWidth: Int, sourceHeight: Int, tileCount: Int, now: Double
    ) throws -> StoredJob {
        try write { db in
            let seq = (try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM job") ?? 0) + 1
            let job = StoredJob(
                id: id, seq: seq, priority: spec.priority, state: .queued, spec: spec, sourceWidth: sourceWidth,
                sourceHeight: sourceHeight, tileCount: tileCount, error: nil, createdAt: now, finishedAt: nil)
            try job.insert(db)
            let statement = try db.makeStatement(sql: "INSERT INTO tile (jobId, idx, state) VALUES (?, ?, 'pending')")
            for index in 0..<tileCount {
                try statement.execute(arguments: [id, index])
            }
            return job
        }
    }

    public func job(_ id: String) throws -> StoredJob? {
        try read { db in try StoredJob.fetchOne(db, key: id) }
    }

    /// All jobs, oldest first.
    public func jobs() throws -> [StoredJob] {
        try read { db in try StoredJob.fetchAll(db, sql: "SELECT * FROM job ORDER BY seq") }
    }

    public func setJobState(_ id: String, _ state: JobState, error: String? = nil, now: Double) throws {
        try transaction { $0.setJobState(id, state, error: error, now: now) }
    }

    // MARK: Tiles

    public func tiles(of jobId: String) throws -> [StoredTile] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tile WHERE jobId = ? ORDER BY idx", arguments: [jobId]).map {
                StoredTile(
                    jobId: $0["jobId"], index: $0["idx"], state: TileState(rawValue: $0["state"]) ?? .pending,
                    failures: $0["failures"], checksum: $0["checksum"], workerId: $0["workerId"])
            }
        }
    }

    /// Marks a tile pending again (its result file was found missing or corrupt at start-up).
    public func resetTile(jobId: String, index: Int) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE tile SET state = 'pending', checksum = NULL WHERE jobId = ? AND idx = ?",
                arguments: [jobId, index])
        }
    }

    // MARK: Attempts

    public func attempts(of jobId: String) throws -> [StoredAttempt] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE jobId = ? ORDER BY id", arguments: [jobId]).map {
                StoredAttempt(
                    id: $0["id"], jobId: $0["jobId"], index: $0["idx"], workerId: $0["workerId"],
                    startedAt: $0["startedAt"], endedAt: $0["endedAt"], outcome: $0["outcome"], reason: $0["reason"])
            }
        }
    }

    /// Attempts left open by a coordinator that died: they are closed as "interrupted" at start-up.
    public func closeInterruptedAttempts(now: Double) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE attempt SET outcome = 'interrupted', endedAt = ? WHERE outcome IS NULL", arguments: [now])
        }
    }

    /// Highest attempt row id so far (0 when none).
    public func maxAttemptId() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM attempt") ?? 0 }
    }

    /// Number of attempts, over all jobs, that ended with `outcome`.
    public func attemptCount(jobId: String, outcome: String? = nil) throws -> Int {
        try read { db in
            if let outcome {
                return try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM attempt WHERE jobId = ? AND outcome = ?", arguments: [jobId, outcome])
                    ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempt WHERE jobId = ?", arguments: [jobId]) ?? 0
        }
    }

    // MARK: Workers and blocklists

    public func blocklist(of jobId: String) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT workerId FROM blocklist WHERE jobId = ?", arguments: [jobId]))
        }
    }

    public func knownWorkerIds() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT id FROM worker ORDER BY id") }
    }
}

/// Mutations available inside one `JobStore.transaction`.
public struct JobStoreTransaction {
    let db: Database

    public func setJobState(_ id: String, _ state: JobState, error: String? = nil, now: Double) {
        try? db.execute(
            sql: "UPDATE job SET state = ?, error = COALESCE(?, error), finishedAt = ? WHERE id = ?",
            arguments: [state.rawValue, error, state.isFinal ? now : nil, id])
    }

    /// Records that `workerId` started rendering a tile under a caller-chosen row id (the coordinator numbers
    /// attempts in memory so it can batch these inserts).
    public func insertAttempt(id: Int64, jobId: String, index: Int, workerId: String, now: Double) throws {
        try db.execute(
            sql: "INSERT INTO attempt (id, jobId, idx, workerId, startedAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, jobId, index, workerId, now])
    }

    /// Records that `workerId` started rendering a tile; returns the attempt's row id.
    public func beginAttempt(jobId: String, index: Int, workerId: String, now: Double) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO attempt (jobId, idx, workerId, startedAt) VALUES (?, ?, ?, ?)",
            arguments: [jobId, index, workerId, now])
        return db.lastInsertedRowID
    }

    public func endAttempt(id: Int64, outcome: String, reason: String? = nil, now: Double) throws {
        try db.execute(
            sql: "UPDATE attempt SET outcome = ?, reason = ?, endedAt = ? WHERE id = ?",
            arguments: [outcome, reason, now, id])
    }

    /// Marks a tile done. Callers must have written and synced the result file first.
    public func markTileDone(jobId: String, index: Int, checksum: String, workerId: String) throws {
        try db.execute(
            sql: "UPDATE tile SET state = 'done', checksum = ?, workerId = ? WHERE jobId = ? AND idx = ?",
            arguments: [checksum, workerId, jobId, index])
    }

    public func incrementTileFailures(jobId: String, index: Int) throws {
        try db.execute(
            sql: "UPDATE tile SET failures = failures + 1 WHERE jobId = ? AND idx = ?", arguments: [jobId, index])
    }

    public func blocklist(jobId: String, workerId: String) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO blocklist (jobId, workerId) VALUES (?, ?)", arguments: [jobId, workerId])
    }

    public func upsertWorker(id: String, capabilitiesJSON: String, now: Double) throws {
        try db.execute(
            sql: """
                INSERT INTO worker (id, capabilities, registeredAt, lastSeen) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET capabilities = excluded.capabilities, lastSeen = excluded.lastSeen
                """, arguments: [id, capabilitiesJSON, now, now])
    }
}
