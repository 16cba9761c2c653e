import Foundation

/// Python's `round(x, digits)` for floats: the exact binary value rounded to `digits` decimals
/// (ties to even) and read back as the nearest double.
///
/// torchsde quantises every time of a Brownian tree this way (`tol=1e-6` → 6 digits), and the
/// tree's split points, and therefore its random numbers, depend on the exact result.
/// glibc's `printf` rounds the exact binary value with ties to even and `strtod` reads back
/// correctly rounded, which is what CPython's `round` does with its own dtoa.
enum DecimalRounding {
    static func round(_ x: Double, digits: Int) -> Double {
        guard x.isFinite else { return x }
        let text = String(format: "%.\(digits)f", x)
        return Double(text) ?? x
    }
}
