import TesseraImaging

/// The "Only masked" crop box of A1111 (`modules/masking.py`), as corner coordinates
/// `(x1, y1)`–`(x2, y2)` with `x2`, `y2` exclusive, exactly like the Python tuples.
public struct CropRegion: Sendable, Hashable, CustomStringConvertible {
    public var x1: Int
    public var y1: Int
    public var x2: Int
    public var y2: Int

    public init(x1: Int, y1: Int, x2: Int, y2: Int) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    public var width: Int { x2 - x1 }
    public var height: Int { y2 - y1 }
    /// `paste_to = (x1, y1, x2 − x1, y2 − y1)`.
    public var rect: PixelRect { PixelRect(x: x1, y: y1, width: width, height: height) }

    public var description: String { "(\(x1), \(y1), \(x2), \(y2))" }

    /// `get_crop_region_v2(mask, pad)`: the bounding box of non-zero mask pixels grown by `padding`
    /// on each side and clipped to the mask; nil for an all-black mask (A1111 then falls back to
    /// plain img2img).
    public static func around(_ mask: GreyImage, padding: Int) throws -> CropRegion? {
        guard padding >= 0 else {
            throw ImageOpsError.invalidParameter(name: "inpaint_full_res_padding", problem: "\(padding) must be ≥ 0")
        }
        guard let box = mask.nonZeroBoundingBox else { return nil }
        return CropRegion(x1: max(box.x - padding, 0), y1: max(box.y - padding, 0),
                          x2: min(box.maxX + padding, mask.width), y2: min(box.maxY + padding, mask.height))
    }

    /// `expand_crop_region`: grows the short side so the box has the processing aspect ratio
    /// `width`/`height`, shifting it back inside the image; it can stay off-aspect when the image is too small.
    public func expanded(toAspectOf width: Int, _ height: Int, imageWidth: Int, imageHeight: Int) -> CropRegion {
        var (x1, y1, x2, y2) = (self.x1, self.y1, self.x2, self.y2)
        let ratioCrop = Double(x2 - x1) / Double(y2 - y1)
        let ratioProcessing = Double(width) / Double(height)
        if ratioCrop > ratioProcessing {
            let desired = Double(x2 - x1) / ratioProcessing
            let diff = Int(desired - Double(y2 - y1))
            y1 -= pythonFloorDivide(diff, 2)
            y2 += diff - pythonFloorDivide(diff, 2)
            if y2 >= imageHeight { let shift = y2 - imageHeight; y2 -= shift; y1 -= shift }
            if y1 < 0 { y2 -= y1; y1 = 0 }
            if y2 >= imageHeight { y2 = imageHeight }
        } else {
            let desired = Double(y2 - y1) * ratioProcessing
            let diff = Int(desired - Double(x2 - x1))
            x1 -= pythonFloorDivide(diff, 2)
            x2 += diff - pythonFloorDivide(diff, 2)
            if x2 >= imageWidth { let shift = x2 - imageWidth; x2 -= shift; x1 -= shift }
            if x1 < 0 { x2 -= x1; x1 = 0 }
            if x2 >= imageWidth { x2 = imageWidth }
        }
        return CropRegion(x1: x1, y1: y1, x2: x2, y2: y2)
    }

    /// `expand_too_small_crop_region` (A1111 ≥ 1.10): grows each side shorter than the processing
    /// size to that size, centred, shifted back inside the image and clipped to it.
    public func expandedToAtLeast(width: Int, height: Int, imageWidth: Int, imageHeight: Int) -> CropRegion {
        func expand(_ c1: Int, _ c2: Int, _ desired: Int, _ maximum: Int) -> (Int, Int) {
            let diff = desired + c1 - c2
            guard diff > 0 else { return (c1, c2) }
            var a = c1 - pythonFloorDivide(diff, 2)
            var b = c2 + diff - pythonFloorDivide(diff, 2)
            if a < 0 {
                b = min(b - a, maximum)
                a = 0
            } else if b >= maximum {
                a = max(a - b + maximum, 0)
                b = maximum
            }
            return (a, b)
        }
        let (nx1, nx2) = expand(x1, x2, width, imageWidth)
        let (ny1, ny2) = expand(y1, y2, height, imageHeight)
        return CropRegion(x1: nx1, y1: ny1, x2: nx2, y2: ny2)
    }
}

/// Python's `//` (floor division).
func pythonFloorDivide(_ a: Int, _ b: Int) -> Int {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}
