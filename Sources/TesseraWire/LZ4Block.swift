import CLZ4
import Foundation

/// LZ4 *block* format (not the frame format): the payload frame header already carries the
/// decompressed size and a checksum, so the frame format's own header would be redundant.
public enum LZ4Block {
    /// The largest input liblz4 accepts.
    public static let maxInputSize = Int(LZ4_MAX_INPUT_SIZE)

    /// Worst-case compressed size of `count` input bytes.
    public static func compressBound(_ count: Int) -> Int {
        count > maxInputSize ? 0 : Int(LZ4_compressBound(Int32(count)))
    }

    /// An upper bound on what `compressedSize` bytes can decompress to. Each LZ4 match-length
    /// extension byte adds at most 255 output bytes, so anything declaring more is a bomb or
    /// garbage and is refused before a buffer is allocated.
    public static func maxDecompressedSize(compressedSize: Int) -> Int {
        compressedSize * 255 + 64
    }

    /// Compresses `input` with the default (fast) level. Inputs over ``maxInputSize`` throw.
    public static func compress(_ input: some ContiguousBytes) throws(WireError) -> Data {
        let result: Data? = input.withUnsafeBytes { source -> Data? in
            guard source.count <= maxInputSize else { return nil }
            let capacity = compressBound(source.count)
            var output = Data(count: max(capacity, 1))
            let written = output.withUnsafeMutableBytes { destination in
                LZ4_compress_default(
                    source.baseAddress?.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(source.count), Int32(capacity))
            }
            guard written > 0 || source.isEmpty else { return nil }
            output.count = Int(written)
            return output
        }
        guard let result else {
            throw WireError.tooLarge(what: "LZ4 input", size: input.withUnsafeBytes { $0.count }, limit: maxInputSize)
        }
        return result
    }

    /// Decompresses a block that must expand to exactly `decompressedSize` bytes, refusing sizes
    /// above `limit` and above ``maxDecompressedSize(compressedSize:)`` before allocating.
    /// `field` names the payload in errors.
    public static func decompress(_ input: some ContiguousBytes, decompressedSize: Int, limit: Int, field: String = "payload") throws(WireError) -> Data {
        let compressedSize = input.withUnsafeBytes { $0.count }
        guard decompressedSize <= limit else {
            throw WireError.tooLarge(what: "\(field) decompressed size", size: decompressedSize, limit: limit)
        }
        guard decompressedSize <= maxDecompressedSize(compressedSize: compressedSize) else {
            throw WireError.invalidField(field: field, reason: "declares \(decompressedSize) bytes from only \(compressedSize) compressed bytes (more than LZ4 can expand)")
        }
        if decompressedSize == 0 {
            // liblz4 encodes empty input as a single 0x00 token.
            guard compressedSize == 1, input.withUnsafeBytes({ $0[0] }) == 0 else { throw WireError.decompressionFailed(field: field) }
            return Data()
        }
        guard compressedSize > 0, compressedSize <= maxInputSize else { throw WireError.decompressionFailed(field: field) }
        var output = Data(count: decompressedSize)
        let produced = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_decompress_safe(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(compressedSize), Int32(decompressedSize))
            }
        }
        guard produced == Int32(decompressedSize) else { throw WireError.decompressionFailed(field: field) }
        return output
    }
}
