/// 64-bit FNV-1a over bytes: cheap, dependency-free, and good enough to tell a duplicate tile result from a
/// different one (it is not a security boundary; the wire layer does its own integrity checks).
public func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    bytes.withUnsafeBufferPointer { buffer in
        for byte in buffer {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
    }
    return hash
}

/// Lower-case hex of a 64-bit checksum, fixed width.
public func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
