// Cross-field rules shared by several commands (docs/protocol.md §4.2, §7).

/// Which payload roles a command accepts.
enum PayloadRules {
    static func check(_ payloads: [Payload], command: String, allowed: Set<PayloadRole>, atMostOne: Set<PayloadRole>, minimum: Int) throws(WireError) {
        if payloads.count < minimum {
            throw WireError.invalidPayloads(command: command, reason: "needs at least \(minimum) payload frame(s), got \(payloads.count)")
        }
        var seen = Set<PayloadRole>()
        for (index, payload) in payloads.enumerated() {
            guard allowed.contains(payload.role) else {
                throw WireError.invalidPayloads(command: command, reason: "payload \(index + 1) has role \(payload.role), not allowed here")
            }
            if atMostOne.contains(payload.role), !seen.insert(payload.role).inserted {
                throw WireError.invalidPayloads(command: command, reason: "more than one \(payload.role) payload")
            }
        }
    }
}

/// A chunk must lie inside its file.
enum ChunkRange {
    static func check(offset: UInt64, count: Int, total: UInt64, command c: String) throws(WireError) {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        if overflow || end > total {
            throw WireError.invalidField(field: "\(c).offset", reason: "chunk \(offset)+\(count) runs past total_length \(total)")
        }
    }
}

/// UPLOAD and CHUNK carry the same body after their command id: request id, a non-empty id
/// (`upload_id` or `job_id`), offset, total length, and exactly one `fileChunk` payload. One codec
/// serves both so the two commands cannot drift apart.
enum FileChunkBody {
    static func validate(id: String, idField: String, offset: UInt64, totalLength: UInt64,
                         payloads: [Payload], command c: String) throws(WireError) {
        if id.isEmpty { throw WireError.invalidField(field: "\(c).\(idField)", reason: "must not be empty") }
        try PayloadRules.check(payloads, command: c, allowed: [.fileChunk], atMostOne: [.fileChunk], minimum: 1)
        let count = payloads.first?.bytes.count ?? 0
        try ChunkRange.check(offset: offset, count: count, total: totalLength, command: c)
    }

    static func write(_ w: inout ByteWriter, requestID: UInt32, id: String, idField: String,
                      offset: UInt64, totalLength: UInt64) throws(WireError) {
        w.u32(requestID)
        try w.str8(id, idField)
        w.u64(offset)
        w.u64(totalLength)
    }

    static func read(_ r: inout ByteReader, idField: String) throws(WireError)
        -> (requestID: UInt32, id: String, offset: UInt64, totalLength: UInt64) {
        let requestID = try r.u32("request_id")
        let id = try r.str8(idField)
        let offset = try r.u64("offset")
        let totalLength = try r.u64("total_length")
        return (requestID, id, offset, totalLength)
    }
}
