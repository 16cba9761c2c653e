/// Seam visibility of a tiled image: the mean absolute colour step between adjacent pixels
/// across tile borders, divided by the same mean away from the borders. About 1 means the
/// borders look like the rest of the image; visible seams push it well above 1.
public struct SeamMetric: Sendable, Hashable {
    /// Mean |Δ| (over RGB) of adjacent pixel pairs straddling a border.
    public let borderGradient: Double
    /// Mean |Δ| of adjacent pixel pairs at least `margin` pixels from every border.
    public let interiorGradient: Double

    /// `borderGradient / interiorGradient` (0 when the image is flat everywhere).
    public var ratio: Double { interiorGradient > 0 ? borderGradient / interiorGradient : (borderGradient > 0 ? .infinity : 0) }

    /// Measures `image` against explicit border positions (x positions of vertical borders,
    /// y positions of horizontal borders: the border lies between pixel `b - 1` and `b`).
    public static func measure(_ image: RGBAImage, columnBorders: [Int], rowBorders: [Int], margin: Int = 4) -> SeamMetric {
        let columns = Set(columnBorders)
        let rows = Set(rowBorders)
        func distance(_ position: Int, to borders: [Int]) -> Int {
            borders.map { abs(position - $0) }.min() ?? Int.max
        }
        let columnDistance = (0...image.width).map { distance($0, to: columnBorders) }
        let rowDistance = (0...image.height).map { distance($0, to: rowBorders) }
        var borderSum = 0.0, borderCount = 0
        var interiorSum = 0.0, interiorCount = 0
        image.pixels.withUnsafeBufferPointer { pixels in
            func step(_ a: Int, _ b: Int) -> Double {
                var total = 0
                for channel in 0..<3 {
                    let difference: Int = Int(pixels[a + channel]) - Int(pixels[b + channel])
                    total += abs(difference)
                }
                return Double(total) / 3
            }
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let here = (y * image.width + x) * 4
                    if x + 1 < image.width {
                        // Pair (x, x+1) straddles a border at x+1.
                        let value = step(here, here + 4)
                        if columns.contains(x + 1) {
                            borderSum += value; borderCount += 1
                        } else if columnDistance[x + 1] > margin && rowDistance[y] > margin && rowDistance[y + 1] > margin {
                            interiorSum += value; interiorCount += 1
                        }
                    }
                    if y + 1 < image.height {
                        let value = step(here, here + image.width * 4)
                        if rows.contains(y + 1) {
                            borderSum += value; borderCount += 1
                        } else if rowDistance[y + 1] > margin && columnDistance[x] > margin && columnDistance[x + 1] > margin {
                            interiorSum += value; interiorCount += 1
                        }
                    }
                }
            }
        }
        return SeamMetric(borderGradient: borderCount > 0 ? borderSum / Double(borderCount) : 0,
                          interiorGradient: interiorCount > 0 ? interiorSum / Double(interiorCount) : 0)
    }

    /// Measures across the core borders of `plan` (where tiles meet).
    public static func measure(_ image: RGBAImage, plan: TilePlan, margin: Int? = nil) -> SeamMetric {
        measure(image, columnBorders: plan.columnBoundaries, rowBorders: plan.rowBoundaries,
                margin: margin ?? max(4, plan.feather / 2 + 1))
    }
}
