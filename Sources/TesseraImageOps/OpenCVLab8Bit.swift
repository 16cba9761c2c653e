import Foundation

/// OpenCV's 8-bit CIELAB conversions (`cv2.COLOR_RGB2LAB` / `COLOR_LAB2RGB` on uint8 images),
/// which A1111's colour correction works in: L scaled to 0…255, a and b offset by 128.
public enum OpenCVLab8Bit {
    // OpenCV's sRGB→XYZ (D65) matrix, white point and fixed-point shifts (color_lab.cpp).
    private static let rgbToXYZ: [Double] = [0.412453, 0.357580, 0.180423, 0.212671, 0.715160, 0.072169, 0.019334, 0.119193, 0.950227]
    private static let xyzToRGB: [Double] = [3.240479, -1.53715, -0.498535, -0.969256, 1.875991, 0.041556, 0.055648, -0.204043, 1.057311]
    private static let whitePoint: [Double] = [0.950456, 1.0, 1.088754]
    private static let labShift = 12, gammaShift = 3, labShift2 = 15

    /// `sRGBGammaTab_b`: linearised sRGB × 255·2³, rounded.
    private static let gammaTable: [Int] = (0..<256).map { i in
        let x = Double(i) / 255
        let linear = x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        return Int((255.0 * Double(1 << gammaShift) * linear).rounded(.toNearestOrEven))
    }

    /// `LabCbrtTab_b`: f(t) of CIELAB × 2¹⁵ for t = i / (255·2³). OpenCV builds it in float32
    /// (softfloat), whose cube root lands on the float32 below the exact value; computing it
    /// in double, or with libm's `cbrtf`, changes about 1 colour in 10,000.
    private static let cubeRootTable: [Int] = (0..<(256 * 3 / 2 * (1 << gammaShift))).map { i in
        let scale = Float(1.0 / Double(255 * (1 << gammaShift)))
        let x = Float(Double(i) * Double(scale))
        let f: Float = x < Float(0.008856) ? x * Float(7.787) + Float(16.0 / 116.0) : cubeRootTowardZero(x)
        return Int((Float(1 << labShift2) * f).rounded(.toNearestOrEven))
    }

    private static func cubeRootTowardZero(_ x: Float) -> Float {
        let exact = cbrt(Double(x))
        let nearest = Float(exact)
        return Double(nearest) > exact ? nearest.nextDown : nearest
    }

    private static let coefficients: [Int] = (0..<9).map { k in
        Int((Double(1 << labShift) * rgbToXYZ[k] / whitePoint[k / 3]).rounded(.toNearestOrEven))
    }

    private static func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }
    private static func saturate(_ v: Int) -> UInt8 { UInt8(min(max(v, 0), 255)) }

    /// One RGB pixel to 8-bit (L, a, b), with OpenCV's integer arithmetic.
    public static func lab(r: UInt8, g: UInt8, b: UInt8) -> (UInt8, UInt8, UInt8) {
        let R = gammaTable[Int(r)], G = gammaTable[Int(g)], B = gammaTable[Int(b)]
        let c = coefficients
        let fX = cubeRootTable[descale(R * c[0] + G * c[1] + B * c[2], labShift)]
        let fY = cubeRootTable[descale(R * c[3] + G * c[4] + B * c[5], labShift)]
        let fZ = cubeRootTable[descale(R * c[6] + G * c[7] + B * c[8], labShift)]
        let lScale = (116 * 255 + 50) / 100
        let lShift = -((16 * 255 * (1 << labShift2) + 50) / 100)
        let L = descale(lScale * fY + lShift, labShift2)
        let a = descale(500 * (fX - fY) + 128 * (1 << labShift2), labShift2)
        let bb = descale(200 * (fY - fZ) + 128 * (1 << labShift2), labShift2)
        return (saturate(L), saturate(a), saturate(bb))
    }

    /// One 8-bit (L, a, b) pixel back to RGB with OpenCV's floating-point formulas (its
    /// integer path can differ by one level).
    public static func rgb(l: UInt8, a: UInt8, b: UInt8) -> (UInt8, UInt8, UInt8) {
        let L = Double(l) * 100 / 255, A = Double(a) - 128, B = Double(b) - 128
        let fy: Double, y: Double
        if L <= 8 {
            y = L / 903.3
            fy = 7.787 * y + 16.0 / 116.0
        } else {
            fy = (L + 16) / 116
            y = fy * fy * fy
        }
        func inverse(_ f: Double) -> Double { f > 6.0 / 29.0 ? f * f * f : (f - 16.0 / 116.0) / 7.787 }
        let x = inverse(fy + A / 500) * whitePoint[0], z = inverse(fy - B / 200) * whitePoint[2]
        func channel(_ row: Int) -> UInt8 {
            var v = xyzToRGB[row * 3] * x + xyzToRGB[row * 3 + 1] * y + xyzToRGB[row * 3 + 2] * z
            v = min(max(v, 0), 1)
            v = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055
            return saturate(Int((v * 255).rounded(.toNearestOrEven)))
        }
        return (channel(0), channel(1), channel(2))
    }
}
