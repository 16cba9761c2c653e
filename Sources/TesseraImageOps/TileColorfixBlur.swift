/// The blur of ControlNet's tile_colorfix post-process: replicate-pad by `k`, then a
/// (2k+1)×(2k+1) box average with stride 1 (`avg_pool2d`), per channel of a planar Float tensor.
/// It runs on latents (x0 predictions), so it works on raw Float planes, not images.
public struct TileColorfixBlur: Sendable, Equatable {
    /// `k = int(Variation)` (doubled in a hires-fix second pass).
    public let radius: Int

    public init(variation: Int) throws {
        guard variation >= 0 else {
            throw ImageOpsError.invalidParameter(name: "tile_colorfix variation", problem: "\(variation) must be ≥ 0")
        }
        radius = variation
    }

    /// Blurs `channels` planes of `width`×`height` values stored one after another.
    public func apply(_ values: [Float], channels: Int, width: Int, height: Int) throws -> [Float] {
        guard values.count == channels * width * height else {
            throw ImageOpsError.invalidParameter(
                name: "tile_colorfix tensor", problem: "\(values.count) values for \(channels)x\(height)x\(width)")
        }
        let k = radius
        if k == 0 { return values }
        var out = values
        let plane = width * height
        let taps = Float((2 * k + 1) * (2 * k + 1))
        for channel in 0..<channels {
            let base = channel * plane
            // Horizontal window sums with clamped indices, then vertical ones.
            var rows = [Float](repeating: 0, count: plane)
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float = 0
                    for dx in -k...k { sum += values[base + y * width + min(max(x + dx, 0), width - 1)] }
                    rows[y * width + x] = sum
                }
            }
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float = 0
                    for dy in -k...k { sum += rows[min(max(y + dy, 0), height - 1) * width + x] }
                    out[base + y * width + x] = sum / taps
                }
            }
        }
        return out
    }
}
