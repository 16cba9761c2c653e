import Foundation

/// Every message of the Tessera wire protocol, version 1 (docs/protocol.md).
///
/// A message is a list of ZeroMQ frames: one header frame (`"TESS"`, version, command, fields)
/// followed by zero or more payload frames. On a ROUTER socket the peer's routing id comes
/// first; strip it before ``decode(_:limits:)`` (see ``RoutedMessage``).
public enum Message: Sendable, Equatable {
    // Worker ↔ coordinator
    case hello(Hello)
    case welcome(Welcome)
    case ready(Ready)
    case tile(TileAssignment)
    case progress(TileProgress)
    case result(TileResult)
    case failed(TileFailure)
    case heartbeat(Heartbeat)
    case disconnect(Disconnect)
    case error(ErrorReport)
    case revoke(Revoke)
    // Client → coordinator
    case submit(SubmitJob)
    case status(StatusRequest)
    case watch(WatchRequest)
    case cancel(CancelRequest)
    case fetch(FetchRequest)
    case workers(WorkersRequest)
    case upload(UploadChunk)
    // Coordinator → client
    case accepted(JobAccepted)
    case jobStatus(JobStatusReply)
    case update(JobUpdate)
    case workerList(WorkerListReply)
    case chunk(ResultChunk)
    case ok(OKReply)

    /// The command byte this message is sent with.
    public var command: Command {
        switch self {
        case .hello: return .hello
        case .welcome: return .welcome
        case .ready: return .ready
        case .tile: return .tile
        case .progress: return .progress
        case .result: return .result
        case .failed: return .failed
        case .heartbeat: return .heartbeat
        case .disconnect: return .disconnect
        case .error: return .error
        case .revoke: return .revoke
        case .submit: return .submit
        case .status: return .status
        case .watch: return .watch
        case .cancel: return .cancel
        case .fetch: return .fetch
        case .workers: return .workers
        case .upload: return .upload
        case .accepted: return .accepted
        case .jobStatus: return .jobStatus
        case .update: return .update
        case .workerList: return .workerList
        case .chunk: return .chunk
        case .ok: return .ok
        }
    }

    /// The payload frames this message carries (empty for most commands).
    public var payloads: [Payload] {
        switch self {
        case .tile(let m): return m.payloads
        case .result(let m): return m.payloads
        case .submit(let m): return m.payloads
        case .chunk(let m): return m.payloads
        case .upload(let m): return m.payloads
        default: return []
        }
    }

    /// The request id of a client request or a reply to one; nil for worker messages.
    public var requestID: UInt32? {
        switch self {
        case .error(let m): return m.requestID
        case .submit(let m): return m.requestID
        case .status(let m): return m.requestID
        case .watch(let m): return m.requestID
        case .cancel(let m): return m.requestID
        case .fetch(let m): return m.requestID
        case .workers(let m): return m.requestID
        case .upload(let m): return m.requestID
        case .accepted(let m): return m.requestID
        case .jobStatus(let m): return m.requestID
        case .update(let m): return m.requestID
        case .workerList(let m): return m.requestID
        case .chunk(let m): return m.requestID
        case .ok(let m): return m.requestID
        default: return nil
        }
    }

    // MARK: Encoding

    /// The frames of this message: header frame, then one frame per payload (LZ4-compressed when
    /// that makes it smaller, unless `compression` is `.none`). Throws if a field breaks the
    /// protocol (empty id, string too long, payload over `limits`, …), so whatever this returns
    /// decodes again.
    public func encode(compression: PayloadCompression = .lz4, limits: WireLimits = .default) throws(WireError) -> [Data] {
        let name = command.name
        try validate(name)
        var w = ByteWriter(command: name)
        w.raw(WireProtocol.signature)
        w.u8(WireProtocol.version)
        w.u8(command.rawValue)
        try writeBody(&w)
        guard w.bytes.count <= limits.maxHeaderBytes else {
            throw WireError.tooLarge(what: "\(name) header frame", size: w.bytes.count, limit: limits.maxHeaderBytes)
        }
        let payloads = self.payloads
        guard payloads.count <= limits.maxPayloadFrames else {
            throw WireError.tooLarge(what: "\(name) payload frames", size: payloads.count, limit: limits.maxPayloadFrames)
        }
        let total = payloads.reduce(0) { $0 + $1.bytes.count }
        guard total <= limits.maxTotalPayloadBytes else {
            throw WireError.tooLarge(what: "\(name) payloads in total", size: total, limit: limits.maxTotalPayloadBytes)
        }
        var frames = [Data(w.bytes)]
        for (index, payload) in payloads.enumerated() {
            frames.append(try PayloadFrame.encode(payload, compression: compression, limits: limits, field: "\(name).payload[\(index)]"))
        }
        return frames
    }

    private func validate(_ c: String) throws(WireError) {
        switch self {
        case .hello(let m): try m.validate(c)
        case .welcome(let m): try m.validate(c)
        case .ready(let m): try m.validate(c)
        case .tile(let m): try m.validate(c)
        case .progress(let m): try m.validate(c)
        case .result(let m): try m.validate(c)
        case .failed(let m): try m.validate(c)
        case .heartbeat(let m): try m.validate(c)
        case .disconnect(let m): try m.validate(c)
        case .error(let m): try m.validate(c)
        case .revoke(let m): try m.validate(c)
        case .submit(let m): try m.validate(c)
        case .status(let m): try m.validate(c)
        case .watch(let m): try m.validate(c)
        case .cancel(let m): try m.validate(c)
        case .fetch(let m): try m.validate(c)
        case .workers(let m): try m.validate(c)
        case .upload(let m): try m.validate(c)
        case .accepted(let m): try m.validate(c)
        case .jobStatus(let m): try m.validate(c)
        case .update(let m): try m.validate(c)
        case .workerList(let m): try m.validate(c)
        case .chunk(let m): try m.validate(c)
        case .ok(let m): try m.validate(c)
        }
    }

    private func writeBody(_ w: inout ByteWriter) throws(WireError) {
        switch self {
        case .hello(let m): try m.write(&w)
        case .welcome(let m): try m.write(&w)
        case .ready(let m): try m.write(&w)
        case .tile(let m): try m.write(&w)
        case .progress(let m): try m.write(&w)
        case .result(let m): try m.write(&w)
        case .failed(let m): try m.write(&w)
        case .heartbeat(let m): try m.write(&w)
        case .disconnect(let m): try m.write(&w)
        case .error(let m): try m.write(&w)
        case .revoke(let m): try m.write(&w)
        case .submit(let m): try m.write(&w)
        case .status(let m): try m.write(&w)
        case .watch(let m): try m.write(&w)
        case .cancel(let m): try m.write(&w)
        case .fetch(let m): try m.write(&w)
        case .workers(let m): try m.write(&w)
        case .upload(let m): try m.write(&w)
        case .accepted(let m): try m.write(&w)
        case .jobStatus(let m): try m.write(&w)
        case .update(let m): try m.write(&w)
        case .workerList(let m): try m.write(&w)
        case .chunk(let m): try m.write(&w)
        case .ok(let m): try m.write(&w)
        }
    }

    // MARK: Decoding

    /// Parses and validates the frames of one message (without a ROUTER routing-id frame).
    /// Checks, in order: frame count, header size, signature, version, command, every field
    /// (lengths, enums, UTF-8, no trailing bytes), then each payload frame (size limits before
    /// allocating, LZ4 integrity, CRC-32C). Never traps on bad input.
    public static func decode(_ frames: [Data], limits: WireLimits = .default) throws(WireError) -> Message {
        guard let headerFrame = frames.first else { throw WireError.noFrames }
        guard headerFrame.count <= limits.maxHeaderBytes else {
            throw WireError.tooLarge(what: "header frame", size: headerFrame.count, limit: limits.maxHeaderBytes)
        }
        let header = [UInt8](headerFrame)
        guard header.count >= 4, Array(header[0..<4]) == WireProtocol.signature else { throw WireError.badSignature }
        guard header.count >= WireProtocol.headerPrefixSize else { throw WireError.truncated(field: "header") }
        guard WireProtocol.supportedVersions.contains(header[4]) else { throw WireError.unsupportedVersion(header[4]) }
        guard let command = Command(rawValue: header[5]) else { throw WireError.unknownCommand(header[5]) }
        let name = command.name

        let payloadFrames = frames.dropFirst()
        if !command.allowsPayloads && !payloadFrames.isEmpty {
            throw WireError.invalidPayloads(command: name, reason: "takes no payload frames, got \(payloadFrames.count)")
        }
        guard payloadFrames.count <= limits.maxPayloadFrames else {
            throw WireError.tooLarge(what: "\(name) payload frames", size: payloadFrames.count, limit: limits.maxPayloadFrames)
        }

        var r = ByteReader(header, offset: WireProtocol.headerPrefixSize, command: name)
        // Header fields are parsed before payloads so a malformed header is refused before any
        // payload is decompressed.
        func payloads() throws(WireError) -> [Payload] {
            // Sum the declared sizes first so the total limit holds before anything is inflated.
            var total = 0
            for frame in payloadFrames {
                total += PayloadFrame.declaredRawLength(frame) ?? 0
                if total > limits.maxTotalPayloadBytes {
                    throw WireError.tooLarge(what: "\(name) payloads in total", size: total, limit: limits.maxTotalPayloadBytes)
                }
            }
            var result: [Payload] = []
            for (index, frame) in payloadFrames.enumerated() {
                result.append(try PayloadFrame.decode(frame, limits: limits, field: "\(name).payload[\(index)]"))
            }
            return result
        }
        let message: Message
        switch command {
        case .hello: message = .hello(try Hello(&r))
        case .welcome: message = .welcome(try Welcome(&r))
        case .ready: message = .ready(try Ready(&r))
        case .tile:
            var m = try TileAssignment(&r, payloads: [])
            try r.finish()
            m.payloads = try payloads()
            message = .tile(m)
        case .progress: message = .progress(try TileProgress(&r))
        case .result:
            var m = try TileResult(&r, payloads: [])
            try r.finish()
            m.payloads = try payloads()
            message = .result(m)
        case .failed: message = .failed(try TileFailure(&r))
        case .heartbeat: message = .heartbeat(try Heartbeat(&r))
        case .disconnect: message = .disconnect(try Disconnect(&r))
        case .error: message = .error(try ErrorReport(&r))
        case .revoke: message = .revoke(try Revoke(&r))
        case .submit:
            var m = try SubmitJob(&r, payloads: [])
            try r.finish()
            m.payloads = try payloads()
            message = .submit(m)
        case .status: message = .status(try StatusRequest(&r))
        case .watch: message = .watch(try WatchRequest(&r))
        case .cancel: message = .cancel(try CancelRequest(&r))
        case .fetch: message = .fetch(try FetchRequest(&r))
        case .workers: message = .workers(try WorkersRequest(&r))
        case .upload:
            var m = try UploadChunk(&r, payloads: [])
            try r.finish()
            m.payloads = try payloads()
            message = .upload(m)
        case .accepted: message = .accepted(try JobAccepted(&r))
        case .jobStatus: message = .jobStatus(try JobStatusReply(&r))
        case .update: message = .update(try JobUpdate(&r))
        case .workerList: message = .workerList(try WorkerListReply(&r))
        case .chunk:
            var m = try ResultChunk(&r, payloads: [])
            try r.finish()
            m.payloads = try payloads()
            message = .chunk(m)
        case .ok: message = .ok(try OKReply(&r))
        }
        try r.finish()
        try message.validate(name)
        return message
    }
}
