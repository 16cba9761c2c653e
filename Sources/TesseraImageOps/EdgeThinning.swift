/// The binary-map helpers of ControlNet's `high_quality_resize`: Otsu threshold, "naked" NMS and
/// Lvmin Zhang's hit-or-miss edge thinning (`lvminthin.py`), on 8-bit single-channel maps.
enum EdgeThinning {
    /// A 3×3 hit-or-miss pattern: 1 = must be set, −1 = must be clear, 0 = don't care.
    typealias Pattern = [[Int]]

    static let thinningPatterns: [Pattern] = rotations(of: [
        [[-1, -1, -1], [0, 1, 0], [1, 1, 1]],
        [[0, -1, -1], [1, 1, -1], [0, 1, 0]],
    ])
    static let pruningPatterns: [Pattern] = rotations(of: [
        [[-1, -1, -1], [-1, 1, -1], [0, 0, -1]],
        [[-1, -1, -1], [-1, 1, -1], [-1, 0, 0]],
    ])

    /// numpy's `rot90(k=0…3)` of each pattern, in the extension's order (all k=0 first, then k=1, …).
    static func rotations(of patterns: [Pattern]) -> [Pattern] {
        var out = [Pattern]()
        for k in 0..<4 {
            for pattern in patterns {
                var rotated = pattern
                for _ in 0..<k {
                    // rot90 counter-clockwise: new[i][j] = old[j][n-1-i]
                    let old = rotated
                    for i in 0..<3 { for j in 0..<3 { rotated[i][j] = old[j][2 - i] } }
                }
                out.append(rotated)
            }
        }
        return out
    }

    /// OpenCV's Otsu threshold value of an 8-bit map.
    static func otsuThreshold(_ map: GreyImage) -> Int {
        var histogram = [Int](repeating: 0, count: 256)
        for value in map.pixels { histogram[Int(value)] += 1 }
        let scale = 1.0 / Double(map.pixels.count)
        var mu = 0.0
        for i in 0..<256 { mu += Double(i) * Double(histogram[i]) }
        mu *= scale
        var mu1 = 0.0, q1 = 0.0, maxSigma = 0.0, maxValue = 0
        let epsilon = Double(Float.ulpOfOne)
        for i in 0..<256 {
            let p = Double(histogram[i]) * scale
            mu1 *= q1
            q1 += p
            let q2 = 1 - q1
            if min(q1, q2) < epsilon || max(q1, q2) > 1 - epsilon { continue }
            mu1 = (mu1 + Double(i) * p) / q1
            let mu2 = (mu - q1 * mu1) / q2
            let sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2)
            if sigma > maxSigma {
                maxSigma = sigma
                maxValue = i
            }
        }
        return maxValue
    }

    /// `cv2.threshold(map, 0, 255, THRESH_BINARY + THRESH_OTSU)`.
    static func otsuBinarised(_ map: GreyImage) -> GreyImage {
        let threshold = otsuThreshold(map)
        var out = map
        out.pixels = map.pixels.map { Int($0) > threshold ? 255 : 0 }
        return out
    }

    /// `nake_nms`: keeps a pixel when it is the maximum along any of the four 3-tap lines through it.
    static func nakedNMS(_ map: GreyImage) -> GreyImage {
        let lines: [[(Int, Int)]] = [[(-1, 0), (0, 0), (1, 0)], [(0, -1), (0, 0), (0, 1)],
                                     [(-1, -1), (0, 0), (1, 1)], [(1, -1), (0, 0), (-1, 1)]]
        var out = GreyImage(width: map.width, height: map.height)
        for y in 0..<map.height {
            for x in 0..<map.width {
                let value = map[x, y]
                for line in lines {
                    var maximum: UInt8 = 0
                    for (ox, oy) in line {
                        let nx = x + ox, ny = y + oy
                        if nx >= 0, ny >= 0, nx < map.width, ny < map.height { maximum = max(maximum, map[nx, ny]) }
                    }
                    if maximum == value { out[x, y] = value }
                }
            }
        }
        return out
    }

    /// `cv2.morphologyEx(MORPH_HITMISS)` then clearing the hits; pixels outside the image satisfy
    /// both "set" and "clear" (OpenCV's erosion ignores the border). Returns whether anything changed.
    static func removePattern(_ map: inout GreyImage, _ pattern: Pattern) -> Bool {
        var hits = [Int]()
        for y in 0..<map.height {
            for x in 0..<map.width {
                // e1 = erosion of the map by the "set" taps, e2 = erosion of its complement by the "clear" taps.
                var e1: UInt8 = 255, e2: UInt8 = 255
                for i in 0..<3 {
                    for j in 0..<3 where pattern[i][j] != 0 {
                        let nx = x + j - 1, ny = y + i - 1
                        guard nx >= 0, ny >= 0, nx < map.width, ny < map.height else { continue }
                        let value = map[nx, ny]
                        if pattern[i][j] == 1 { e1 = min(e1, value) } else { e2 = min(e2, 255 - value) }
                    }
                }
                if (e1 & e2) > 127 { hits.append(y * map.width + x) }
            }
        }
        for index in hits { map.pixels[index] = 0 }
        return !hits.isEmpty
    }

    /// `lvmin_thin`: up to 32 rounds of the thinning patterns, then one pruning round when `prune`.
    static func thinned(_ map: GreyImage, prune: Bool) -> GreyImage {
        var out = map
        for _ in 0..<32 {
            var changed = false
            for pattern in thinningPatterns where removePattern(&out, pattern) { changed = true }
            if !changed { break }
        }
        if prune { for pattern in pruningPatterns { _ = removePattern(&out, pattern) } }
        return out
    }
}
