import TesseraImaging

/// `cv2.Canny(image, low, high)` with OpenCV's defaults (3×3 Sobel, L1 gradient magnitude):
/// per-pixel strongest channel of a colour image, integer non-maximum suppression with OpenCV's
/// tan(22.5°) sectors and tie rules, then 8-connected hysteresis. Output: 255 on edges, 0 elsewhere.
public struct CannyEdgeDetector: Sendable, Equatable {
    public let lowThreshold: Double
    public let highThreshold: Double

    /// ControlNet's sliders: low 1…255 (default 100), high 1…255 (default 200). OpenCV swaps them when low > high.
    public init(lowThreshold: Double = 100, highThreshold: Double = 200) throws {
        for (name, value) in [("canny low threshold", lowThreshold), ("canny high threshold", highThreshold)]
        where !(value.isFinite && value >= 0) {
            throw ImageOpsError.invalidParameter(name: name, problem: "\(value) must be a finite value ≥ 0")
        }
        self.lowThreshold = min(lowThreshold, highThreshold)
        self.highThreshold = max(lowThreshold, highThreshold)
    }

    public func apply(_ image: RGBAImage) -> GreyImage {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return GreyImage(width: w, height: h) }
        // Sobel on each RGB channel with a replicated border; keep the channel with the largest |dx|+|dy|
        // (the first one on ties, as OpenCV's strict ">" does).
        var dx = [Int](repeating: 0, count: w * h), dy = dx, magnitude = dx
        @inline(__always) func sample(_ x: Int, _ y: Int, _ channel: Int) -> Int {
            Int(image.pixels[(min(max(y, 0), h - 1) * w + min(max(x, 0), w - 1)) * 4 + channel])
        }
        for y in 0..<h {
            for x in 0..<w {
                var best = -1
                for channel in 0..<3 {
                    let gx = (sample(x + 1, y - 1, channel) + 2 * sample(x + 1, y, channel) + sample(x + 1, y + 1, channel))
                        - (sample(x - 1, y - 1, channel) + 2 * sample(x - 1, y, channel) + sample(x - 1, y + 1, channel))
                    let gy = (sample(x - 1, y + 1, channel) + 2 * sample(x, y + 1, channel) + sample(x + 1, y + 1, channel))
                        - (sample(x - 1, y - 1, channel) + 2 * sample(x, y - 1, channel) + sample(x + 1, y - 1, channel))
                    let m = abs(gx) + abs(gy)
                    if m > best {
                        best = m
                        dx[y * w + x] = gx
                        dy[y * w + x] = gy
                    }
                }
                magnitude[y * w + x] = best
            }
        }
        let low = Int(lowThreshold.rounded(.down)), high = Int(highThreshold.rounded(.down))
        // Magnitude outside the image counts as 0.
        @inline(__always) func mag(_ x: Int, _ y: Int) -> Int {
            (x < 0 || y < 0 || x >= w || y >= h) ? 0 : magnitude[y * w + x]
        }
        // 0 = weak candidate, 1 = not an edge, 2 = edge.
        var map = [UInt8](repeating: 1, count: w * h)
        var stack = [Int]()
        let tg22 = 13573  // tan(22.5°)·2^15
        for y in 0..<h {
            for x in 0..<w {
                let m = magnitude[y * w + x]
                guard m > low else { continue }
                let xs = dx[y * w + x], ys = dy[y * w + x]
                let ax = abs(xs), ay = abs(ys) << 15
                let tg22x = ax * tg22
                let isMaximum: Bool
                if ay < tg22x {
                    isMaximum = m > mag(x - 1, y) && m >= mag(x + 1, y)
                } else {
                    let tg67x = tg22x + (ax << 16)
                    if ay > tg67x {
                        isMaximum = m > mag(x, y - 1) && m >= mag(x, y + 1)
                    } else {
                        let s = (xs ^ ys) < 0 ? -1 : 1
                        isMaximum = m > mag(x - s, y - 1) && m > mag(x + s, y + 1)
                    }
                }
                guard isMaximum else { continue }
                if m > high {
                    map[y * w + x] = 2
                    stack.append(y * w + x)
                } else {
                    map[y * w + x] = 0
                }
            }
        }
        while let index = stack.popLast() {
            let x = index % w, y = index / w
            for ny in max(0, y - 1)...min(h - 1, y + 1) {
                for nx in max(0, x - 1)...min(w - 1, x + 1) where map[ny * w + nx] == 0 {
                    map[ny * w + nx] = 2
                    stack.append(ny * w + nx)
                }
            }
        }
        var out = GreyImage(width: w, height: h)
        for index in 0..<map.count where map[index] == 2 { out.pixels[index] = 255 }
        return out
    }
}
