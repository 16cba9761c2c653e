/// Refuses keys a table does not know, so a misspelt setting is an error instead of a silently used default.
enum StrictKeys {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func check(_ decoder: Decoder, known: [String], table: String) throws {
        let keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let knownSet = Set(known)
        if let unknown = keys.sorted().first(where: { !knownSet.contains($0) }) {
            let lower = unknown.lowercased()
            let close = known.filter { $0.lowercased().contains(lower) || lower.contains($0.lowercased()) }.sorted()
            let hint = close.isEmpty ? "" : "did you mean \(close.joined(separator: " or "))? "
            throw ClusterError.invalidParameter(
                field: "\(table).\(unknown)", reason: "unknown key; \(hint)known: \(known.sorted().joined(separator: ", "))")
        }
    }
}
