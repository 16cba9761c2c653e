import Foundation

/// A re-implementation of torch's CPU generator (`torch.Generator().manual_seed(seed)`) for
/// `torch.randn` and `torch.rand` on float32 tensors, bit-compatible up to libm rounding.
///
/// torch draws normals in two different ways depending on the element count, and A1111's
/// "RNG source: CPU" inherits both, so both are reproduced:
/// * fewer than 16 elements: one double-precision Box–Muller pair per two elements, each
///   uniform built from 53 bits of two consecutive 32-bit draws; the sine half of a pair is
///   cached in the generator and returned by the next scalar draw.
/// * 16 or more: first every element gets a 24-bit float uniform, then each block of 16 is
///   transformed in place (element j pairs with j+8: cos to j, sin to j+8); when the count is
///   not a multiple of 16 the LAST 16 elements are re-drawn and transformed again.
public struct TorchCPUGenerator: Sendable {
    private var engine: MersenneTwister
    /// torch's `next_double_normal_sample`: the unused half of the last scalar Box–Muller pair.
    private var cachedNormal: Double?

    /// A generator in the state `torch.Generator().manual_seed(seed)` leaves it in
    /// (and `torch.manual_seed(seed)` leaves the global CPU generator in).
    public init(seed: UInt64) {
        engine = MersenneTwister(seed: seed)
        cachedNormal = nil
    }

    /// `torch.randn(count)` (float32) from this generator, advancing it.
    public mutating func randn(count: Int) -> [Float] {
        if count >= 16 { return vectorisedNormals(count: count) }
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count { out[i] = Float(scalarNormal()) }
        return out
    }

    /// `torch.rand(count)` (float32, uniform in [0, 1)) from this generator, advancing it.
    public mutating func rand(count: Int) -> [Float] {
        (0..<count).map { _ in floatUniform() }
    }

    private mutating func floatUniform() -> Float {
        Float(engine.next() & 0x00FF_FFFF) * (1.0 / 16_777_216.0)
    }

    private mutating func doubleUniform() -> Double {
        let high = UInt64(engine.next())
        let low = UInt64(engine.next())
        let bits = ((high << 32) | low) & ((1 << 53) - 1)
        return Double(bits) * (1.0 / 9_007_199_254_740_992.0)
    }

    private mutating func scalarNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = doubleUniform()
        let u2 = doubleUniform()
        let radius = (-2.0 * log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        cachedNormal = radius * sin(theta)
        return radius * cos(theta)
    }

    private mutating func vectorisedNormals(count: Int) -> [Float] {
        var data = [Float](repeating: 0, count: count)
        for i in 0..<count { data[i] = floatUniform() }
        var start = 0
        while start + 16 <= count {
            Self.boxMullerBlock(&data, at: start)
            start += 16
        }
        if count % 16 != 0 {
            let tail = count - 16
            for i in tail..<count { data[i] = floatUniform() }
            Self.boxMullerBlock(&data, at: tail)
        }
        return data
    }

    /// torch's `normal_fill_16`, evaluated in float32 as torch does.
    private static func boxMullerBlock(_ data: inout [Float], at start: Int) {
        for j in 0..<8 {
            let u1 = 1 - data[start + j]
            let u2 = data[start + j + 8]
            let radius = (-2 * logf(u1)).squareRoot()
            let theta = Float(2.0 * Double.pi) * u2
            data[start + j] = radius * cosf(theta)
            data[start + j + 8] = radius * sinf(theta)
        }
    }
}
