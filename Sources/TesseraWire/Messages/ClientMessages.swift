import Foundation

// Requests from a client (DEALER) to the coordinator (ROUTER); docs/protocol.md §7.
// Every request starts with a client-chosen request_id that the reply echoes, so a client may
// have several requests in flight on one socket.

private func requireJobID(_ jobID: String, _ c: String) throws(WireError) {
    if jobID.isEmpty { throw WireError.invalidField(field: "\(c).job_id", reason: "must not be empty") }
}

// STATUS, WATCH and CANCEL share one body: request_id, then job_id.
private func writeJobRequest(_ w: inout ByteWriter, _ requestID: UInt32, _ jobID: String) throws(WireError) {
    w.u32(requestID)
    try w.str8(jobID, "job_id")
}

private func readJobRequest(_ r: inout ByteReader) throws(WireError) -> (UInt32, String) {
    let requestID = try r.u32("request_id")
    return (requestID, try r.str8("job_id"))
}

/// SUBMIT (client → coordinator, 0x20): queues a job. Payload frames: at most one `initImage`,
/// at most one `mask`, any number of `hint`s. Answered by ACCEPTED or ERROR.
public struct SubmitJob: Sendable, Equatable {
    public var requestID: UInt32
    /// The job specification (A1111 parameter names), schema owned by the cluster.
    public var spec: ParameterDocument
    public var payloads: [Payload]

    public init(requestID: UInt32, spec: ParameterDocument, payloads: [Payload] = []) {
        self.requestID = requestID
        self.spec = spec
        self.payloads = payloads
    }

    func validate(_ c: String) throws(WireError) {
        try PayloadRules.check(payloads, command: c, allowed: [.initImage, .mask, .hint], atMostOne: [.initImage, .mask], minimum: 0)
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        try w.document(spec, "spec")
    }

    init(_ r: inout ByteReader, payloads: [Payload]) throws(WireError) {
        requestID = try r.u32("request_id")
        spec = try r.document("spec")
        self.payloads = payloads
    }
}

/// STATUS (client → coordinator, 0x21): asks for one job's status, or every job's when `jobID`
/// is empty. Answered by JOB_STATUS or ERROR.
public struct StatusRequest: Sendable, Equatable {
    public var requestID: UInt32
    public var jobID: String

    public init(requestID: UInt32, jobID: String = "") {
        self.requestID = requestID
        self.jobID = jobID
    }

    func validate(_ c: String) throws(WireError) {}
    func write(_ w: inout ByteWriter) throws(WireError) { try writeJobRequest(&w, requestID, jobID) }
    init(_ r: inout ByteReader) throws(WireError) { (requestID, jobID) = try readJobRequest(&r) }
}

/// WATCH (client → coordinator, 0x22): subscribe to a job. The coordinator answers with an
/// UPDATE at once and then on every change, until the job reaches a final state.
public struct WatchRequest: Sendable, Equatable {
    public var requestID: UInt32
    public var jobID: String

    public init(requestID: UInt32, jobID: String) {
        self.requestID = requestID
        self.jobID = jobID
    }

    func validate(_ c: String) throws(WireError) { try requireJobID(jobID, c) }
    func write(_ w: inout ByteWriter) throws(WireError) { try writeJobRequest(&w, requestID, jobID) }
    init(_ r: inout ByteReader) throws(WireError) { (requestID, jobID) = try readJobRequest(&r) }
}

/// CANCEL (client → coordinator, 0x23): cancels a job. Answered by OK or ERROR.
public struct CancelRequest: Sendable, Equatable {
    public var requestID: UInt32
    public var jobID: String

    public init(requestID: UInt32, jobID: String) {
        self.requestID = requestID
        self.jobID = jobID
    }

    func validate(_ c: String) throws(WireError) { try requireJobID(jobID, c) }
    func write(_ w: inout ByteWriter) throws(WireError) { try writeJobRequest(&w, requestID, jobID) }
    init(_ r: inout ByteReader) throws(WireError) { (requestID, jobID) = try readJobRequest(&r) }
}

/// FETCH (client → coordinator, 0x24): asks for up to `maxLength` bytes of a finished job's
/// output file starting at `offset`. Answered by CHUNK or ERROR.
public struct FetchRequest: Sendable, Equatable {
    public var requestID: UInt32
    public var jobID: String
    public var offset: UInt64
    public var maxLength: UInt32

    public init(requestID: UInt32, jobID: String, offset: UInt64, maxLength: UInt32) {
        self.requestID = requestID
        self.jobID = jobID
        self.offset = offset
        self.maxLength = maxLength
    }

    func validate(_ c: String) throws(WireError) {
        try requireJobID(jobID, c)
        if maxLength == 0 { throw WireError.invalidField(field: "\(c).max_length", reason: "must be positive") }
    }
    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        try w.str8(jobID, "job_id")
        w.u64(offset)
        w.u32(maxLength)
    }
    init(_ r: inout ByteReader) throws(WireError) {
        requestID = try r.u32("request_id")
        jobID = try r.str8("job_id")
        offset = try r.u64("offset")
        maxLength = try r.u32("max_length")
    }
}

/// WORKERS (client → coordinator, 0x25): lists the registered workers. Answered by WORKER_LIST.
public struct WorkersRequest: Sendable, Equatable {
    public var requestID: UInt32

    public init(requestID: UInt32) { self.requestID = requestID }

    func validate(_ c: String) throws(WireError) {}
    func write(_ w: inout ByteWriter) throws(WireError) { w.u32(requestID) }
    init(_ r: inout ByteReader) throws(WireError) { requestID = try r.u32("request_id") }
}

/// UPLOAD (client → coordinator, 0x26): sends bytes `offset ..< offset + n` of a file (e.g. an
/// init image PNG too large for one SUBMIT payload) in exactly one `fileChunk` payload. The
/// client picks `uploadID` and names it in the SUBMIT spec. Answered by OK or ERROR.
public struct UploadChunk: Sendable, Equatable {
    public var requestID: UInt32
    public var uploadID: String
    public var offset: UInt64
    public var totalLength: UInt64
    public var payloads: [Payload]

    public init(requestID: UInt32, uploadID: String, offset: UInt64, totalLength: UInt64, chunk: Data) {
        self.requestID = requestID
        self.uploadID = uploadID
        self.offset = offset
        self.totalLength = totalLength
        self.payloads = [.opaque(.fileChunk, bytes: chunk)]
    }

    /// The chunk's bytes.
    public var chunk: Data { payloads.first?.bytes ?? Data() }

    func validate(_ c: String) throws(WireError) {
        try FileChunkBody.validate(id: uploadID, idField: "upload_id", offset: offset, totalLength: totalLength,
                                   payloads: payloads, command: c)
    }
    func write(_ w: inout ByteWriter) throws(WireError) {
        try FileChunkBody.write(&w, requestID: requestID, id: uploadID, idField: "upload_id", offset: offset,
                                totalLength: totalLength)
    }
    init(_ r: inout ByteReader, payloads: [Payload]) throws(WireError) {
        (requestID, uploadID, offset, totalLength) = try FileChunkBody.read(&r, idField: "upload_id")
        self.payloads = payloads
    }
}
