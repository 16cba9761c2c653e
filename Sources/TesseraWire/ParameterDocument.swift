/// A structured text blob: the render parameters of a TILE or the job spec of a SUBMIT.
/// The wire only checks that it is UTF-8 of a known format; its schema belongs to the cluster.
public struct ParameterDocument: Sendable, Equatable {
    public enum Format: UInt8, Sendable, CaseIterable {
        case json = 1
        case toml = 2
    }

    public var format: Format
    public var text: String

    public init(format: Format, text: String) {
        self.format = format
        self.text = text
    }

    public static func json(_ text: String) -> ParameterDocument { ParameterDocument(format: .json, text: text) }
    public static func toml(_ text: String) -> ParameterDocument { ParameterDocument(format: .toml, text: text) }
}

extension ByteWriter {
    /// format u8 + u32 length + UTF-8.
    mutating func document(_ value: ParameterDocument, _ field: String) throws(WireError) {
        u8(value.format.rawValue)
        try str32(value.text, field)
    }
}

extension ByteReader {
    mutating func document(_ field: String) throws(WireError) -> ParameterDocument {
        let raw = try u8("\(field).format")
        guard let format = ParameterDocument.Format(rawValue: raw) else {
            throw invalid("\(field).format", "unknown document format \(raw) (1 = JSON, 2 = TOML)")
        }
        return ParameterDocument(format: format, text: try str32(field))
    }
}
