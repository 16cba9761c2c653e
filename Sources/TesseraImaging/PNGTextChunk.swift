/// A textual PNG chunk (tEXt, zTXt or iTXt).
public struct PNGTextChunk: Sendable, Hashable {
    /// How the chunk is stored in the file.
    public enum Kind: String, Sendable, Hashable {
        /// Uncompressed Latin-1 text.
        case tEXt
        /// zlib-compressed Latin-1 text.
        case zTXt
        /// UTF-8 text, optionally compressed.
        case iTXt
    }

    /// The A1111 keyword holding generation parameters ("prompt\nNegative prompt: ...\nSteps: ...").
    public static let parametersKeyword = "parameters"

    public var keyword: String
    public var text: String
    public var kind: Kind

    /// A chunk stored as exactly `kind`.
    public init(keyword: String, text: String, kind: Kind) {
        self.keyword = keyword
        self.text = text
        self.kind = kind
    }

    /// A chunk stored the way Pillow (and so A1111) stores `PngInfo.add_text`:
    /// tEXt when the text is representable in Latin-1, iTXt (UTF-8) otherwise.
    public init(keyword: String, text: String) {
        self.keyword = keyword
        self.text = text
        self.kind = PNGTextChunk.latin1Bytes(of: text) == nil ? .iTXt : .tEXt
    }

    /// The A1111 generation-parameters chunk.
    public static func parameters(_ text: String) -> PNGTextChunk {
        PNGTextChunk(keyword: parametersKeyword, text: text)
    }

    /// Latin-1 encoding, or nil when a character is outside U+0000...U+00FF.
    static func latin1Bytes(of string: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.unicodeScalars.count)
        for scalar in string.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }

    static func latin1String(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var string = String()
        string.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return string
    }

    /// Checks the PNG rules for keywords: 1–79 Latin-1 characters, printable, no
    /// leading/trailing/double spaces.
    func validateKeyword() throws {
        guard let bytes = PNGTextChunk.latin1Bytes(of: keyword), (1...79).contains(bytes.count) else {
            throw ImagingError.invalidArgument(argument: "PNG text keyword \"\(keyword)\"", problem: "must be 1–79 Latin-1 characters")
        }
        let printable = bytes.allSatisfy { (32...126).contains($0) || (161...255).contains($0) }
        guard printable, bytes.first != 32, bytes.last != 32, !keyword.contains("  ") else {
            throw ImagingError.invalidArgument(
                argument: "PNG text keyword \"\(keyword)\"",
                problem: "must be printable without leading, trailing or double spaces")
        }
    }
}

extension Array where Element == PNGTextChunk {
    /// The text of the first chunk with this keyword.
    public func text(forKeyword keyword: String) -> String? {
        first { $0.keyword == keyword }?.text
    }
}
