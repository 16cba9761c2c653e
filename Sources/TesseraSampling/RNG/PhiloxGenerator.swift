import Foundation

/// A1111's "RNG source: NV" (`modules/rng_philox.py`): a CPU reproduction of what
/// `torch.randn` gives on an NVIDIA GPU, so images made with it match across machines.
///
/// Element j of the k-th `randn` call (k counted from 0 per generator) is Philox4x32-10 on
/// counter (k, 0, j, 0) with key (low32(seed), high32(seed)), followed by Box–Muller on the
/// first two output words, with only the sine branch kept.
public struct PhiloxGenerator: Sendable {
    /// The generator's seed (Philox key).
    public let seed: UInt64
    /// Number of `randn` calls made so far; the first counter word of the next call.
    public private(set) var offset: UInt32 = 0

    /// A fresh generator, as `rng_philox.Generator(seed)` creates it.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// `Generator.randn(shape)` with `count` elements (row-major), advancing the offset by one.
    public mutating func randn(count: Int) -> [Float] {
        let key0 = UInt32(truncatingIfNeeded: seed)
        let key1 = UInt32(truncatingIfNeeded: seed >> 32)
        var out = [Float](repeating: 0, count: count)
        for j in 0..<count {
            let words = Self.philox(counter: (offset, 0, UInt32(truncatingIfNeeded: j), 0), key: (key0, key1))
            out[j] = Self.boxMuller(words.0, words.1)
        }
        offset &+= 1
        return out
    }

    static func philox(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for round in 0..<10 {
            let p0 = UInt64(c.0) &* 0xD251_1F53
            let p2 = UInt64(c.2) &* 0xCD9E_8D57
            c = (UInt32(truncatingIfNeeded: p2 >> 32) ^ c.1 ^ k.0,
                 UInt32(truncatingIfNeeded: p2),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1,
                 UInt32(truncatingIfNeeded: p0))
            if round < 9 {
                k.0 &+= 0x9E37_79B9
                k.1 &+= 0xBB67_AE85
            }
        }
        return c
    }

    // The constants are float32-rounded in the original, while the arithmetic is float64
    // (numpy promotes uint32 × float32 to float64); both details are kept.
    private static let scale = Double(Float(2.3283064e-10))
    private static let angleScale = Double(Float(2.3283064e-10 * 6.2831855))

    static func boxMuller(_ x: UInt32, _ y: UInt32) -> Float {
        let u = Double(x) * scale + scale / 2
        let v = Double(y) * angleScale + angleScale / 2
        return Float((-2.0 * log(u)).squareRoot() * sin(v))
    }
}
