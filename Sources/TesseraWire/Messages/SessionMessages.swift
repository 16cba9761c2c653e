import Foundation

// Session-level messages between a worker (DEALER) and the coordinator (ROUTER), and ERROR;
// docs/protocol.md §6. Each type validates itself the same way when encoding and decoding, so an
// encoder never produces a frame its own decoder would reject.

/// A model a worker can load, identified like A1111 does (file name + hash).
public struct ModelInfo: Sendable, Equatable {
    /// Model name or file name, e.g. `v1-5-pruned-emaonly.safetensors`.
    public var name: String
    /// Hash text, e.g. the A1111 short hash `6ce0161689` or `sha256:<64 hex digits>`.
    public var hash: String

    public init(name: String, hash: String) {
        self.name = name
        self.hash = hash
    }
}

/// HELLO (worker → coordinator, 0x01): registers a worker and advertises what it can do.
/// Always sent with header version 1; the coordinator picks a version from ``versions``.
public struct Hello: Sendable, Equatable {
    /// Stable worker name, unique in the cluster (1...255 bytes).
    public var workerID: String
    /// Software name and version, e.g. `tessera 0.1.0`.
    public var software: String
    /// Protocol versions the worker speaks (at least one).
    public var versions: [UInt8]
    /// Render threads the worker uses.
    public var threads: UInt16
    /// Renderer kinds it implements, e.g. `txt2img`, `img2img`, `upscale`.
    public var renderers: [String]
    /// Models it has locally.
    public var models: [ModelInfo]

    public init(workerID: String, software: String, versions: [UInt8] = WireProtocol.supportedVersions, threads: UInt16, renderers: [String], models: [ModelInfo]) {
        self.workerID = workerID
        self.software = software
        self.versions = versions
        self.threads = threads
        self.renderers = renderers
        self.models = models
    }

    func validate(_ c: String) throws(WireError) {
        if workerID.isEmpty { throw WireError.invalidField(field: "\(c).worker_id", reason: "must not be empty") }
        if versions.isEmpty { throw WireError.invalidField(field: "\(c).versions", reason: "must list at least one version") }
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try w.str8(workerID, "worker_id")
        try w.str8(software, "software")
        try w.count8(versions.count, "versions")
        for v in versions { w.u8(v) }
        w.u16(threads)
        try w.count8(renderers.count, "renderers")
        for r in renderers { try w.str8(r, "renderers") }
        try w.count16(models.count, "models")
        for m in models {
            try w.str16(m.name, "models.name")
            try w.str8(m.hash, "models.hash")
        }
    }

    init(_ r: inout ByteReader) throws(WireError) {
        workerID = try r.str8("worker_id")
        software = try r.str8("software")
        versions = []
        for _ in 0..<(try r.count(1, "versions", minElementSize: 1)) { versions.append(try r.u8("versions")) }
        threads = try r.u16("threads")
        renderers = []
        for _ in 0..<(try r.count(1, "renderers", minElementSize: 1)) { renderers.append(try r.str8("renderers")) }
        models = []
        for _ in 0..<(try r.count(2, "models", minElementSize: 3)) {
            models.append(ModelInfo(name: try r.str16("models.name"), hash: try r.str8("models.hash")))
        }
    }
}

/// WELCOME (coordinator → worker, 0x02): accepts a HELLO and fixes the session's parameters.
public struct Welcome: Sendable, Equatable {
    /// The protocol version both sides use from now on.
    public var version: UInt8
    /// How often each side sends HEARTBEAT when otherwise silent.
    public var heartbeatMilliseconds: UInt32
    /// Intervals without any message after which the other side is considered dead.
    public var liveness: UInt8
    /// The coordinator's name, for logs.
    public var coordinatorID: String

    public init(version: UInt8 = WireProtocol.version, heartbeatMilliseconds: UInt32 = WireProtocol.defaultHeartbeatMilliseconds, liveness: UInt8 = WireProtocol.defaultLiveness, coordinatorID: String) {
        self.version = version
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.liveness = liveness
        self.coordinatorID = coordinatorID
    }

    func validate(_ c: String) throws(WireError) {
        if heartbeatMilliseconds == 0 { throw WireError.invalidField(field: "\(c).heartbeat_ms", reason: "must be positive") }
        if liveness == 0 { throw WireError.invalidField(field: "\(c).liveness", reason: "must be positive") }
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u8(version)
        w.u32(heartbeatMilliseconds)
        w.u8(liveness)
        try w.str8(coordinatorID, "coordinator_id")
    }

    init(_ r: inout ByteReader) throws(WireError) {
        version = try r.u8("version")
        heartbeatMilliseconds = try r.u32("heartbeat_ms")
        liveness = try r.u8("liveness")
        coordinatorID = try r.str8("coordinator_id")
    }
}

/// READY (worker → coordinator, 0x03): grants the coordinator credit for `credit` more tiles.
public struct Ready: Sendable, Equatable {
    public var credit: UInt16

    public init(credit: UInt16) { self.credit = credit }

    func validate(_ c: String) throws(WireError) {
        if credit == 0 { throw WireError.invalidField(field: "\(c).credit", reason: "must be at least 1") }
    }

    func write(_ w: inout ByteWriter) throws(WireError) { w.u16(credit) }
    init(_ r: inout ByteReader) throws(WireError) { credit = try r.u16("credit") }
}

/// A worker's state as reported in HEARTBEAT and WORKER_LIST.
public enum WireWorkerState: UInt8, Sendable, CaseIterable {
    case idle = 0
    case busy = 1
    /// Finishing its current tiles, accepting no new ones.
    case draining = 2
    /// WORKER_LIST only: missed its heartbeats; its tiles are being reassigned.
    case lost = 3
}

/// HEARTBEAT (both directions, 0x08): sent when a side has sent nothing else for one heartbeat
/// interval. From a worker it names the tile in progress for status display; it does not renew
/// the tile's lease (a live process with a hung renderer must lose its tile).
/// The coordinator sends `idle`, an empty job id and tile 0.
public struct Heartbeat: Sendable, Equatable {
    public var state: WireWorkerState
    /// Job of the tile being rendered, or empty.
    public var jobID: String
    /// Tile being rendered (meaningful only when `jobID` is not empty).
    public var tileID: UInt32

    public init(state: WireWorkerState, jobID: String = "", tileID: UInt32 = 0) {
        self.state = state
        self.jobID = jobID
        self.tileID = tileID
    }

    func validate(_ c: String) throws(WireError) {}

    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u8(state.rawValue)
        try w.str8(jobID, "job_id")
        w.u32(tileID)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        let raw = try r.u8("state")
        guard let state = WireWorkerState(rawValue: raw) else { throw r.invalid("state", "unknown worker state \(raw)") }
        self.state = state
        jobID = try r.str8("job_id")
        tileID = try r.u32("tile_id")
    }
}

/// DISCONNECT (both directions, 0x09): the sender is going away; the receiver forgets the
/// session (a coordinator requeues the worker's tiles at once).
public struct Disconnect: Sendable, Equatable {
    public var code: WireErrorCode
    public var message: String

    public init(code: WireErrorCode = .none, message: String = "") {
        self.code = code
        self.message = message
    }

    func validate(_ c: String) throws(WireError) {}

    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u16(code.rawValue)
        w.message16(message)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        code = WireErrorCode(rawValue: try r.u16("code"))
        message = try r.str16("message")
    }
}

/// ERROR (any direction, 0x0A): a request or message was refused. `requestID` echoes the
/// client request it answers, or 0 when it answers a worker message.
public struct ErrorReport: Sendable, Equatable {
    public var requestID: UInt32
    public var code: WireErrorCode
    public var message: String

    public init(requestID: UInt32 = 0, code: WireErrorCode, message: String) {
        self.requestID = requestID
        self.code = code
        self.message = message
    }

    func validate(_ c: String) throws(WireError) {}

    func write(_ w: inout ByteWriter) throws(WireError) {
        w.u32(requestID)
        w.u16(code.rawValue)
        w.message16(message)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        requestID = try r.u32("request_id")
        code = WireErrorCode(rawValue: try r.u16("code"))
        message = try r.str16("message")
    }
}
