import Foundation

/// Vectorised elementary functions over raw buffers, the inner loops of activations and softmax.
///
/// `exp` is a Cephes-style polynomial on 8 lanes (about 2 ulp): the scalar libm call would
/// dominate attention, whose softmax takes one exponential per query-key pair.
public enum VectorMath {
    /// 1.5·2²³: adding it to a float of magnitude < 2²² leaves the rounded integer in the low
    /// mantissa bits. Swift's generic SIMD rounding and Float→Int conversions are not vectorised,
    /// so both go through this constant instead.
    static let roundingMagic: Float = 12_582_912

    @inline(__always)
    static func exp8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp by masks: the generic `clamped` is not inlined into vector code.
        var x = v.replacing(with: -87.3, where: v .< -87.3)
        x = x.replacing(with: 88.3, where: x .> 88.3)
        let shifted = x * 1.44269504088896341 + roundingMagic
        let fx = shifted - roundingMagic
        var r = x - fx * 0.693359375
        r = r - fx * -2.12194440e-4
        var y = SIMD8<Float>(repeating: 1.9875691500e-4)
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * (r * r) + r + 1
        // The integer n sits in the low mantissa bits of `shifted`; 2ⁿ has exponent field n + 127.
        let n = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: SIMD8<Float>.self)
        return y * scale
    }

    @inline(__always)
    static func exp1(_ x: Float) -> Float {
        exp8(SIMD8(repeating: x))[0]
    }

    /// Applies `lanes` to 8 elements at a time and `scalar` to the tail.
    @inline(__always)
    static func map(_ p: UnsafeMutablePointer<Float>, _ count: Int,
                    _ lanes: (SIMD8<Float>) -> SIMD8<Float>, _ scalar: (Float) -> Float) {
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: lanes(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { p[i] = scalar(p[i]); i += 1 }
    }

    /// Largest of `count ≥ 1` elements.
    public static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var best = SIMD8<Float>(repeating: -.infinity)
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            best = best.replacing(with: v, where: v .> best)
            i += 8
        }
        var m = best.max()
        while i < count { m = Swift.max(m, p[i]); i += 1 }
        return m
    }

    /// `x ← exp(x − shift)` for `count` elements; returns the sum of the results (softmax numerator).
    public static func expShiftedSum(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        var i = 0
        var total = SIMD8<Float>(repeating: 0)
        let raw = UnsafeMutableRawPointer(p)
        while i + 8 <= count {
            let e = exp8(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - shift)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD8<Float>.self)
            total += e
            i += 8
        }
        var sum = total.sum()
        while i < count { p[i] = exp1(p[i] - shift); sum += p[i]; i += 1 }
        return sum
    }

    /// `x ← exp(x)` for `count` elements.
    public static func exp(_ p: UnsafeMutablePointer<Float>, count: Int) {
        map(p, count, { exp8($0) }, { exp1($0) })
    }

    /// `x ← x · sigmoid(x)` (SiLU / swish) for `count` elements.
    public static func silu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        map(p, count, { v in v / (1 + exp8(-v)) }, { v in v / (1 + exp1(-v)) })
    }

    /// `x ← x · sigmoid(1.702 x)` (CLIP's quick GELU) for `count` elements.
    public static func quickGelu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        map(p, count, { v in v / (1 + exp8(-1.702 * v)) }, { v in v / (1 + exp1(-1.702 * v)) })
    }

    /// `erfc(|z|)` on 8 lanes (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
    @inline(__always)
    static func erfcAbs8(_ z: SIMD8<Float>) -> SIMD8<Float> {
        let a = z.replacing(with: -z, where: z .< 0)
        let t = 1 / (1 + 0.5 * a)
        var p = SIMD8<Float>(repeating: 0.17087277)
        p = p * t - 0.82215223
        p = p * t + 1.48851587
        p = p * t - 1.13520398
        p = p * t + 0.27886807
        p = p * t - 0.18628806
        p = p * t + 0.09678418
        p = p * t + 0.37409196
        p = p * t + 1.00002368
        p = p * t - 1.26551223
        return t * exp8(p - a * a)
    }

    /// `x ← ½x(1 + erf(x/√2))`, the exact GELU PyTorch uses by default, for `count` elements.
    ///
    /// Written through `erfc(|x|/√2)` so the negative tail keeps its relative accuracy.
    public static func gelu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        map(p, count, { v in
            let e = erfcAbs8(v * 0.70710678118654752)
            let positive = 0.5 * v * (2 - e)
            return positive.replacing(with: 0.5 * v * e, where: v .< 0)
        }, { v in 0.5 * v * (1 + erff(v * 0.70710678118654752)) })
    }

    /// `x ← max(x, slope·x)` (LeakyReLU) for `count` elements.
    public static func leakyReLU(_ p: UnsafeMutablePointer<Float>, count: Int, slope: Float) {
        map(p, count, { v in v.replacing(with: v * slope, where: v .< 0) }, { v in v < 0 ? v * slope : v })
    }
}
