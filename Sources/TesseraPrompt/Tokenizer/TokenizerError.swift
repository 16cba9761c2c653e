import Foundation

/// Why the CLIP tokenizer files could not be loaded.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read at all.
    case unreadable(file: String, reason: String)
    /// A file was read but its content is not what a CLIP `vocab.json`/`merges.txt` holds.
    case malformed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "tokenizer: cannot read \(file): \(reason)"
        case let .malformed(file, reason):
            return "tokenizer: \(file) is not a valid CLIP tokenizer file: \(reason)"
        }
    }
}

extension TokenizerError: LocalizedError {
    public var errorDescription: String? { description }
}
