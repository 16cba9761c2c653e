/// Why a wire message could not be decoded (or encoded). Every case names the command and field
/// at fault so one log line explains the problem; ``protocolCode`` is the ERROR code a peer sends
/// back (see docs/protocol.md §8).
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message had no frames at all.
    case noFrames
    /// The header frame does not start with the 4-byte signature "TESS".
    case badSignature
    /// The header names a protocol version this implementation does not speak.
    case unsupportedVersion(UInt8)
    /// The command byte is not a known command.
    case unknownCommand(UInt8)
    /// The frame ended while reading `field`.
    case truncated(field: String)
    /// Bytes were left over after the last field of `command`.
    case trailingBytes(command: String, count: Int)
    /// `field` holds a value the protocol forbids.
    case invalidField(field: String, reason: String)
    /// `what` is `size` bytes (or items) but the limit is `limit`.
    case tooLarge(what: String, size: Int, limit: Int)
    /// `command` carried a number or kind of payload frames it does not allow.
    case invalidPayloads(command: String, reason: String)
    /// A payload's CRC-32C does not match its (decompressed) bytes.
    case checksumMismatch(field: String, expected: UInt32, actual: UInt32)
    /// An LZ4 block could not be decompressed to exactly its declared size.
    case decompressionFailed(field: String)

    /// The protocol error code that describes this failure to a peer.
    public var protocolCode: WireErrorCode {
        switch self {
        case .unsupportedVersion: return .unsupportedVersion
        case .unknownCommand: return .unknownCommand
        case .tooLarge: return .tooLarge
        case .checksumMismatch: return .checksumMismatch
        default: return .malformed
        }
    }

    public var description: String {
        switch self {
        case .noFrames: return "wire message has no frames"
        case .badSignature: return "wire header does not start with the signature \"TESS\""
        case .unsupportedVersion(let v): return "wire protocol version \(v) is not supported (this peer speaks \(WireProtocol.supportedVersions))"
        case .unknownCommand(let c): return "unknown wire command 0x\(String(c, radix: 16))"
        case .truncated(let field): return "\(field): message truncated (frame ended inside this field)"
        case .trailingBytes(let command, let count): return "\(command): \(count) unexpected trailing byte(s) after the last field"
        case .invalidField(let field, let reason): return "\(field): \(reason)"
        case .tooLarge(let what, let size, let limit): return "\(what): \(size) exceeds the limit of \(limit)"
        case .invalidPayloads(let command, let reason): return "\(command): \(reason)"
        case .checksumMismatch(let field, let expected, let actual):
            return "\(field): CRC-32C mismatch (header says 0x\(hex32(expected)), bytes give 0x\(hex32(actual)))"
        case .decompressionFailed(let field): return "\(field): LZ4 block is corrupt or does not decompress to its declared size"
        }
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
