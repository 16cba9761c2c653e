/// GPT-2/CLIP byte-level alphabet: every byte 0...255 maps to one printable Unicode scalar so that
/// BPE can work on text without ever seeing whitespace or control characters.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the remaining 68 bytes
/// map, in increasing byte order, to U+0100, U+0101, …
enum ByteLevelAlphabet {
    /// `scalars[b]` is the stand-in scalar for byte `b`.
    static let scalars: [Unicode.Scalar] = {
        func isPrintable(_ b: Int) -> Bool {
            (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next = 0
        for b in 0..<256 {
            if isPrintable(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(UInt32(256 + next))!
                next += 1
            }
        }
        return table
    }()

    private static let bytesByScalar: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalars.enumerated() { map[scalar.value] = UInt8(byte) }
        return map
    }()

    /// The byte a stand-in scalar represents, or nil for scalars outside the alphabet.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? { bytesByScalar[scalar.value] }

    /// The stand-in string of one byte, e.g. `"Ġ"` for the space byte.
    static func string(forByte byte: UInt8) -> String {
        String(Character(scalars[Int(byte)]))
    }
}
