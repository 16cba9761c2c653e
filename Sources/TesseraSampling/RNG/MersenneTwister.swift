/// The 32-bit Mersenne Twister (MT19937) exactly as torch's CPU generator runs it.
///
/// torch seeds it with the low 32 bits of the 64-bit seed through the standard MT19937
/// initialisation, so the raw 32-bit stream equals `std::mt19937(seed & 0xffffffff)`.
struct MersenneTwister: Sendable {
    private static let n = 624
    private static let m = 397
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<Self.n {
            let previous = state[j - 1]
            state[j] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(j)
        }
        index = Self.n
    }

    /// The next 32 raw bits.
    mutating func next() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        state.withUnsafeMutableBufferPointer { s in
            for i in 0..<Self.n {
                let y = (s[i] & 0x8000_0000) | (s[(i + 1) % Self.n] & 0x7FFF_FFFF)
                var value = s[(i + Self.m) % Self.n] ^ (y >> 1)
                if y & 1 != 0 { value ^= 0x9908_B0DF }
                s[i] = value
            }
        }
        index = 0
    }
}
