import Foundation

/// Resampling filters with Pillow's definitions (support radius and kernel shape).
public enum ResampleFilter: String, Sendable, Hashable, CaseIterable, Codable {
    case nearest
    case bilinear
    case bicubic
    case lanczos

    /// Kernel radius at scale 1 (Pillow's `support`). Nearest is not a convolution.
    var support: Double {
        switch self {
        case .nearest: return 0
        case .bilinear: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The kernel value at distance `x`, exactly as Pillow evaluates it.
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return 0
        case .bilinear:
            let distance = abs(x)
            return distance < 1 ? 1 - distance : 0
        case .bicubic:
            // Keys cubic with a = -0.5, like Pillow.
            let a = -0.5
            let distance = abs(x)
            if distance < 1 { return ((a + 2) * distance - (a + 3)) * distance * distance + 1 }
            if distance < 2 { return (((distance - 5) * distance + 8) * distance - 4) * a }
            return 0
        case .lanczos:
            // Pillow's half-open window [-3, 3).
            if x >= -3 && x < 3 { return ResampleFilter.sinc(x) * ResampleFilter.sinc(x / 3) }
            return 0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let scaled = x * Double.pi
        return sin(scaled) / scaled
    }
}

/// A rectangle of the source image in continuous coordinates (Pillow's `box`).
public struct SourceBox: Sendable, Hashable, Codable {
    public var x0: Double
    public var y0: Double
    public var x1: Double
    public var y1: Double

    /// The area from (`x0`, `y0`) to (`x1`, `y1`) in source pixels.
    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    /// The whole of an image of this size.
    public static func whole(width: Int, height: Int) -> SourceBox {
        SourceBox(x0: 0, y0: 0, x1: Double(width), y1: Double(height))
    }
}
