import GRDB

/// Versioned schema of the coordinator's SQLite database.
enum JobStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "job") { t in
                t.primaryKey("id", .text)
                // Submission order; FIFO within a priority survives restarts because it is stored.
                t.column("seq", .integer).notNull().unique()
                t.column("priority", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("spec", .text).notNull()
                t.column("sourceWidth", .integer).notNull()
                t.column("sourceHeight", .integer).notNull()
                t.column("tileCount", .integer).notNull()
                t.column("error", .text)
                t.column("createdAt", .double).notNull()
                t.column("finishedAt", .double)
            }
            try db.create(table: "tile") { t in
                t.column("jobId", .text).notNull().references("job", onDelete: .cascade)
                t.column("idx", .integer).notNull()
                t.column("state", .text).notNull()
                // Failed or lost attempts; a coordinator restart does not count.
                t.column("failures", .integer).notNull().defaults(to: 0)
                t.column("checksum", .text)
                t.column("workerId", .text)
                t.primaryKey(["jobId", "idx"])
            }
            try db.create(table: "attempt") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("jobId", .text).notNull()
                t.column("idx", .integer).notNull()
                t.column("workerId", .text).notNull()
                t.column("startedAt", .double).notNull()
                t.column("endedAt", .double)
                // nil while running (or when the coordinator died meanwhile); "done", "failed", "lost", "duplicate".
                t.column("outcome", .text)
                t.column("reason", .text)
            }
            try db.create(index: "attempt_tile", on: "attempt", columns: ["jobId", "idx"])
            try db.create(table: "worker") { t in
                t.primaryKey("id", .text)
                t.column("capabilities", .text).notNull()
                t.column("registeredAt", .double).notNull()
                t.column("lastSeen", .double).notNull()
            }
            try db.create(table: "blocklist") { t in
                t.column("jobId", .text).notNull()
                t.column("workerId", .text).notNull()
                t.primaryKey(["jobId", "workerId"])
            }
        }
        return migrator
    }
}
