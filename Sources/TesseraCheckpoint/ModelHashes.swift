import Crypto
import Foundation

/// The hashes AUTOMATIC1111 shows and writes into infotext for a model file.
///
/// * AutoV2 (`Model hash:` in infotext, `sd_models.CheckpointInfo.shorthash`): the first 10 hex
///   digits of the SHA-256 of the whole file.
/// * Legacy (`sd_models.model_hash`, the pre-2023 `Model hash`): the first 8 hex digits of the
///   SHA-256 of the 64 KiB at offset 1 MiB (fewer or no bytes if the file is shorter).
/// * addnet (`hashes.addnet_hash_safetensors`, used for `.safetensors` LoRAs in `Lora hashes:`):
///   SHA-256 of everything after the safetensors header; A1111 writes its first 12 hex digits.
public struct ModelHashes: Sendable, Equatable {
    /// Full SHA-256 of the file, lowercase hex.
    public var sha256: String
    /// Legacy 8-digit hash.
    public var legacy: String
    /// Full addnet SHA-256 (safetensors files only).
    public var addnet: String?

    /// A1111's AutoV2 short hash of a checkpoint.
    public var autoV2: String { String(sha256.prefix(10)) }

    /// The short hash A1111's Lora extension records (`Lora hashes: name: <this>`): addnet for
    /// safetensors, whole-file SHA-256 otherwise, 12 digits.
    public var loraShortHash: String { String((addnet ?? sha256).prefix(12)) }

    /// Hashes `path`, streaming it in 1 MiB chunks from a memory mapping.
    public static func compute(path: String) throws -> ModelHashes {
        let file = try MappedFile(path: path)
        var whole = SHA256()
        var afterHeader: SHA256?
        var headerEnd = Int.max
        if file.count >= 8 {
            let n = UInt64(littleEndian: file.bytes(0..<8).loadUnaligned(as: UInt64.self))
            // Only a real safetensors header (JSON object within the file) gets an addnet hash.
            if n <= UInt64(file.count - 8), n > 0, file.bytes(8..<9).first == UInt8(ascii: "{") {
                headerEnd = 8 + Int(n)
                afterHeader = SHA256()
            }
        }
        let chunk = 1 << 20
        var offset = 0
        while offset < file.count {
            let end = min(offset + chunk, file.count)
            let bytes = file.bytes(offset..<end)
            whole.update(bufferPointer: bytes)
            if afterHeader != nil, end > headerEnd {
                let from = max(offset, headerEnd)
                afterHeader!.update(bufferPointer: file.bytes(from..<end))
            }
            offset = end
        }
        var legacyHasher = SHA256()
        let legacyStart = 0x10_0000
        if file.count > legacyStart {
            legacyHasher.update(bufferPointer: file.bytes(legacyStart..<min(legacyStart + 0x1_0000, file.count)))
        }
        return ModelHashes(sha256: hex(whole.finalize()), legacy: String(hex(legacyHasher.finalize()).prefix(8)),
                           addnet: afterHeader.map { hex($0.finalize()) })
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
