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
