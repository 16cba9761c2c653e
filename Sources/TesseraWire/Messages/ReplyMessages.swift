import Foundation

// Replies from the coordinator to a client; docs/protocol.md §7. Each echoes the request_id of
// the request it answers.

/// A job's lifecycle state.
public enum WireJobState: UInt8, Sendable, CaseIterable {
    case queued = 0
    case running = 1
    case done = 2
    case failed = 3
    case cancelled = 4

    /// Done, failed and cancelled jobs never change again.
    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}

/// One job's status, as carried by JOB_STATUS and UPDATE.
public struct JobStatusRecord: Sendable, Equatable {
    public var jobID: String
    public var state: WireJobState
    public var tilesTotal: UInt32
    public var tilesDone: UInt32
    public var tilesRunning: UInt32
    /// Tiles that failed for good (after their retries).
    public var tilesFailed: UInt32
    /// Overall progress 0...1 including partial tiles, in 1/10000ths on the wire.
    public var progress: Double
    /// Size of the output file once completed (0 before), for FETCH.
    public var resultBytes: UInt64
    /// Human-readable detail, e.g. the failure reason.
    public var message: String

    public init(jobID: String, state: WireJobState, tilesTotal: UInt32, tilesDone: UInt32, tilesRunning: UInt32, tilesFailed: UInt32, progress: Double, resultBytes: UInt64, message: String = "") {
        self.jobID = jobID
        self.state = state
        self.tilesTotal = tilesTotal
        self.tilesDone = tilesDone
        self.tilesRunning = tilesRunning
        self.tilesFailed = tilesFailed
        self.progress = progress
        self.resultBytes = resultBytes
        self.message = message
    }

    func validate(_ c: String) throws(WireError) {
        if jobID.isEmpty { throw WireError.invalidField(field: "\(c).job_id", reason: "must not be empty") }
        guard progress.isFinite, progress >= 0, progress <= 1 else {
            throw WireError.invalidField(field: "\(c).progress", reason: "must be within 0...1, got \(progress)")
        }
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try w.str8(jobID, "job_id")
        w.u8(state.rawValue)
        w.u32(tilesTotal)
        w.u32(tilesDone)
        w.u32(tilesRunning)
        w.u32(tilesFailed)
        w.u16(UInt16((progress * 10_000).rounded()))
        w.u64(resultBytes)
        w.message16(message)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        jobID = try r.str8("job_id")
        let raw = try r.u8("state")
        guard let state = WireJobState(rawValue: raw) else { throw r.invalid("state", "unknown job state \(raw)") }
        self.state = state
        tilesTotal = try r.u32("tiles_total")
        tilesDone = try r.u32("tiles_done")
        tilesRunning = try r.u32("tiles_running")
        tilesFailed = try r.u32("tiles_failed")
        let permyriad = try r.u16("progress")
        guard permyriad <= 10_000 else { throw r.invalid("progress", "must be at most 10000 (1/10000ths), got \(permyriad)") }
        progress = Double(permyriad) / 10_000
        resultBytes = try r.u64("result_bytes")
        message = try r.str16("message")
    }
}

/// One worker as listed by WORKER_LIST.
public struct WorkerRecord: Sendable, Equatable {
    public var workerID: String
    public var state: WireWorkerState
    /// Job of its current tile, or empty.
    public var jobID: String
    public var tileID: UInt32
    public var threads: UInt16
    public var tilesDone: UInt64
    /// Milliseconds since the coordinator last heard from it.
    public var lastSeenMilliseconds: UInt32

    public init(workerID: String, state: WireWorkerState, jobID: String = "", tileID: UInt32 = 0, threads: UInt16, tilesDone: UInt64, lastSeenMilliseconds: UInt32) {
        self.workerID = workerID
        self.state = state
        self.jobID = jobID
        self.tileID = tileID
        self.threads = threads
        self.tilesDone = tilesDone
        self.lastSeenMilliseconds = lastSeenMilliseconds
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try w.str8(workerID, "worker_id")
        w.u8(state.rawValue)
        try w.str8(jobID, "job_id")
        w.u32(tileID)
        w.u16(threads)
        w.u64(tilesDone)
        w.u32(lastSeenMilliseconds)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        workerID = try r.str8("worker_id")
        let raw = try r.u8("state")
        guard let state = WireWorkerState(rawValue: raw) else { throw r.invalid("state", "unknown worker state \(raw)") }
        self.state = state
        jobID = try r.str8("job_id")
        tileID = try r.u32("tile_id")
        threads = try r.u16("threads")
        tilesDone = try r.u64("tiles_done")
        lastSeenMilliseconds = try r.u32("last_seen_ms")
    }
}

/// ACCEPTED (coordinator → client, 0x30): the SUBMIT was queued as `jobID`.
public struct JobAccepted: Sendable, Equatable {
    public var requestID: UInt32
    public var jobID: String

    public init(requestID: UInt32, jobID: String) {
        self.requestID = requestID
        self.jobID = jobID
    }

    func validate(_ c: String) throws(WireError) {
        if jobID.isEmpty { throw WireError.invalidField(field: "\(c).job_id", reason: "must not be empty") }
    }
    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        try w.str8(jobID, "job_id")
    }
    init(_ r: inout ByteReader) throws(WireError) {
        requestID = try r.u32("request_id")
        jobID = try r.str8("job_id")
    }
}

/// JOB_STATUS (coordinator → client, 0x31): answers STATUS with zero or more jobs.
public struct JobStatusReply: Sendable, Equatable {
    public var requestID: UInt32
    public var jobs: [JobStatusRecord]

    public init(requestID: UInt32, jobs: [JobStatusRecord]) {
        self.requestID = requestID
        self.jobs = jobs
    }

    func validate(_ c: String) throws(WireError) { for job in jobs { try job.validate(c) } }
    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        try w.count16(jobs.count, "jobs")
        for job in jobs { try job.write(&w) }
    }
    init(_ r: inout ByteReader) throws(WireError) {
        requestID = try r.u32("request_id")
        jobs = []
        for _ in 0..<(try r.count(2, "jobs", minElementSize: 30)) { jobs.append(try JobStatusRecord(&r)) }
    }
}

/// UPDATE (coordinator → client, 0x32): a watched job changed. `requestID` is the WATCH's.
public struct JobUpdate: Sendable, Equatable {
    public var requestID: UInt32
    public var job: JobStatusRecord

    public init(requestID: UInt32, job: JobStatusRecord) {
        self.requestID = requestID
        self.job = job
    }

    func validate(_ c: String) throws(WireError) { try job.validate(c) }
    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        try job.write(&w)
    }
    init(_ r: inout ByteReader) throws(WireError) {
        requestID = try r.u32("request_id")
        job = try JobStatusRecord(&r)
    }
}

/// WORKER_LIST (coordinator → client, 0x33): answers WORKERS.
public struct WorkerListReply: Sendable, Equatable {
    public var requestID: UInt32
    public var workers: [WorkerRecord]

    public init(requestID: UInt32, workers: [WorkerRecord]) {
        self.requestID = requestID
        self.workers = workers
    }

    func validate(_ c: String) throws(WireError) {
        for worker in workers where worker.workerID.isEmpty {
            throw WireError.invalidField(field: "\(c).worker_id", reason: "must not be empty")
        }
    }
    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        try w.count16(workers.count, "workers")
        for worker in workers { try worker.write(&w) }
    }
    init(_ r: inout ByteReader) throws(WireError) {
        requestID = try r.u32("request_id")
        workers = []
        for _ in 0..<(try r.count(2, "workers", minElementSize: 21)) { workers.append(try WorkerRecord(&r)) }
    }
}

/// CHUNK (coordinator → client, 0x34): answers FETCH with bytes `offset ..< offset + n` of the
/// output file (`totalLength` bytes in all) in exactly one `fileChunk` payload. A chunk that
/// ends at `totalLength` is the last; a FETCH at `offset == totalLength` gets an empty chunk.
public struct ResultChunk: Sendable, Equatable {
    public var requestID: UInt32
    public var jobID: String
    public var offset: UInt64
    public var totalLength: UInt64
    public var payloads: [Payload]

    public init(requestID: UInt32, jobID: String, offset: UInt64, totalLength: UInt64, chunk: Data) {
        self.requestID = requestID
        self.jobID = jobID
        self.offset = offset
        self.totalLength = totalLength
        self.payloads = [.opaque(.fileChunk, bytes: chunk)]
    }

    /// The chunk's bytes.
    public var chunk: Data { payloads.first?.bytes ?? Data() }

    func validate(_ c: String) throws(WireError) {
        try FileChunkBody.validate(id: jobID, idField: "job_id", offset: offset, totalLength: totalLength,
                                   payloads: payloads, command: c)
    }
    func write(_ w: inout ByteWriter) throws(WireError) {
        try FileChunkBody.write(&w, requestID: requestID, id: jobID, idField: "job_id", offset: offset,
                                totalLength: totalLength)
    }
    init(_ r: inout ByteReader, payloads: [Payload]) throws(WireError) {
        (requestID, jobID, offset, totalLength) = try FileChunkBody.read(&r, idField: "job_id")
        self.payloads = payloads
    }
}

/// OK (coordinator → client, 0x35): the request (e.g. CANCEL) succeeded.
public struct OKReply: Sendable, Equatable {
    public var requestID: UInt32

    public init(requestID: UInt32) { self.requestID = requestID }

    func validate(_ c: String) throws(WireError) {}
    func write(_ w: inout ByteWriter) throws(WireError) { w.u32(requestID) }
    init(_ r: inout ByteReader) throws(WireError) { requestID = try r.u32("request_id") }
}
