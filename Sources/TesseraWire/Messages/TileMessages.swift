import Foundation

// Tile work between the coordinator and a worker; docs/protocol.md §6.4–6.7, §6.11 and §9.3.

/// Names one attempt at one tile of one job; carried by every tile-level message.
public struct TileRef: Sendable, Hashable {
    /// The job's id (1...255 bytes UTF-8).
    public var jobID: String
    /// Tile number within the job.
    public var tileID: UInt32
    /// 1 for the first assignment, +1 each time the tile is reassigned.
    public var attempt: UInt32

    public init(jobID: String, tileID: UInt32, attempt: UInt32) {
        self.jobID = jobID
        self.tileID = tileID
        self.attempt = attempt
    }

    func validate(_ c: String) throws(WireError) {
        if jobID.isEmpty { throw WireError.invalidField(field: "\(c).job_id", reason: "must not be empty") }
        if attempt == 0 { throw WireError.invalidField(field: "\(c).attempt", reason: "must be at least 1") }
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try w.str8(jobID, "job_id")
        w.u32(tileID)
        w.u32(attempt)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        jobID = try r.str8("job_id")
        tileID = try r.u32("tile_id")
        attempt = try r.u32("attempt")
    }
}

/// A rectangle in output-image pixels.
public struct TileRect: Sendable, Hashable {
    public var x: UInt32
    public var y: UInt32
    public var width: UInt32
    public var height: UInt32

    public init(x: UInt32, y: UInt32, width: UInt32, height: UInt32) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// TILE (coordinator → worker, 0x04): assigns one tile. Payload frames: at most one `context`,
/// at most one `mask`, any number of `hint`s (in control-unit order).
public struct TileAssignment: Sendable, Equatable {
    public var tile: TileRef
    /// The worker must send PROGRESS (which renews the lease) or RESULT/FAILED within this many
    /// milliseconds, or the tile is reassigned. Heartbeats do not renew it.
    public var leaseMilliseconds: UInt32
    /// Where the tile (with its overlap) sits in the output image.
    public var rect: TileRect
    /// The render parameters (prompt, seed, sampler, steps, …), schema owned by the cluster.
    public var parameters: ParameterDocument
    public var payloads: [Payload]

    public init(tile: TileRef, leaseMilliseconds: UInt32 = WireProtocol.defaultLeaseMilliseconds, rect: TileRect, parameters: ParameterDocument, payloads: [Payload] = []) {
        self.tile = tile
        self.leaseMilliseconds = leaseMilliseconds
        self.rect = rect
        self.parameters = parameters
        self.payloads = payloads
    }

    func validate(_ c: String) throws(WireError) {
        try tile.validate(c)
        if leaseMilliseconds == 0 { throw WireError.invalidField(field: "\(c).lease_ms", reason: "must be positive") }
        if rect.width == 0 || rect.height == 0 { throw WireError.invalidField(field: "\(c).width", reason: "tile rectangle must not be empty") }
        try PayloadRules.check(payloads, command: c, allowed: [.context, .mask, .hint, .latent, .canvas], atMostOne: [.context, .mask, .latent, .canvas], minimum: 0)
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try tile.write(&w)
        w.u32(leaseMilliseconds)
        w.u32(rect.x)
        w.u32(rect.y)
        w.u32(rect.width)
        w.u32(rect.height)
        try w.document(parameters, "parameters")
    }

    init(_ r: inout ByteReader, payloads: [Payload]) throws(WireError) {
        tile = try TileRef(&r)
        leaseMilliseconds = try r.u32("lease_ms")
        rect = TileRect(x: try r.u32("x"), y: try r.u32("y"), width: try r.u32("width"), height: try r.u32("height"))
        parameters = try r.document("parameters")
        self.payloads = payloads
    }
}

/// PROGRESS (worker → coordinator, 0x05): reports progress and renews the tile's lease.
public struct TileProgress: Sendable, Equatable {
    public var tile: TileRef
    /// 0...1, carried as an integer number of 1/10000ths (so 0.12345 arrives as 0.1235).
    public var fraction: Double

    public init(tile: TileRef, fraction: Double) {
        self.tile = tile
        self.fraction = fraction
    }

    func validate(_ c: String) throws(WireError) {
        try tile.validate(c)
        guard fraction.isFinite, fraction >= 0, fraction <= 1 else {
            throw WireError.invalidField(field: "\(c).fraction", reason: "must be within 0...1, got \(fraction)")
        }
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try tile.write(&w)
        w.u16(UInt16((fraction * 10_000).rounded()))
    }

    init(_ r: inout ByteReader) throws(WireError) {
        tile = try TileRef(&r)
        let permyriad = try r.u16("fraction")
        guard permyriad <= 10_000 else { throw r.invalid("fraction", "must be at most 10000 (1/10000ths), got \(permyriad)") }
        fraction = Double(permyriad) / 10_000
    }
}

/// RESULT (worker → coordinator, 0x06): the finished tile. Payload frames: one or more `result`.
public struct TileResult: Sendable, Equatable {
    public var tile: TileRef
    /// Wall time the worker spent rendering, for scheduling statistics.
    public var renderMilliseconds: UInt32
    public var payloads: [Payload]

    public init(tile: TileRef, renderMilliseconds: UInt32, payloads: [Payload]) {
        self.tile = tile
        self.renderMilliseconds = renderMilliseconds
        self.payloads = payloads
    }

    func validate(_ c: String) throws(WireError) {
        try tile.validate(c)
        try PayloadRules.check(payloads, command: c, allowed: [.result], atMostOne: [], minimum: 1)
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try tile.write(&w)
        w.u32(renderMilliseconds)
    }

    init(_ r: inout ByteReader, payloads: [Payload]) throws(WireError) {
        tile = try TileRef(&r)
        renderMilliseconds = try r.u32("render_ms")
        self.payloads = payloads
    }
}

/// FAILED (worker → coordinator, 0x07): the tile could not be rendered.
public struct TileFailure: Sendable, Equatable {
    public var tile: TileRef
    public var code: WireErrorCode
    /// Whether another attempt (here or elsewhere) might succeed.
    public var retryable: Bool
    public var message: String

    public init(tile: TileRef, code: WireErrorCode, retryable: Bool, message: String) {
        self.tile = tile
        self.code = code
        self.retryable = retryable
        self.message = message
    }

    func validate(_ c: String) throws(WireError) { try tile.validate(c) }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try tile.write(&w)
        w.u16(code.rawValue)
        w.bool(retryable)
        w.message16(message)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        tile = try TileRef(&r)
        code = WireErrorCode(rawValue: try r.u16("code"))
        retryable = try r.bool("retryable")
        message = try r.str16("message")
    }
}

/// REVOKE (coordinator → worker, 0x0B): stop working on one tile (it was reassigned) or on every
/// tile of a job (`tileID == nil`: the job was cancelled). The worker drops the work without
/// sending RESULT or FAILED for it; anything it sends anyway is ignored.
public struct Revoke: Sendable, Equatable {
    public var jobID: String
    /// The tile to drop, or nil for all tiles of the job.
    public var tileID: UInt32?

    public init(jobID: String, tileID: UInt32? = nil) {
        self.jobID = jobID
        self.tileID = tileID
    }

    func validate(_ c: String) throws(WireError) {
        if jobID.isEmpty { throw WireError.invalidField(field: "\(c).job_id", reason: "must not be empty") }
    }

    func write(_ w: inout ByteWriter) throws(WireError) {
        try w.str8(jobID, "job_id")
        w.bool(tileID != nil)
        w.u32(tileID ?? 0)
    }

    init(_ r: inout ByteReader) throws(WireError) {
        jobID = try r.str8("job_id")
        let oneTile = try r.bool("has_tile")
        let tile = try r.u32("tile_id")
        if !oneTile && tile != 0 { throw r.invalid("tile_id", "must be 0 when has_tile is 0, got \(tile)") }
        tileID = oneTile ? tile : nil
    }
}
