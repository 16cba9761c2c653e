/// scikit-image `exposure.match_histograms` on one uint8 channel (`_match_cumulative_cdf`):
/// each source value is mapped to the template value at the same cumulative quantile
/// (linear interpolation between the template's present values), then truncated to uint8 as
/// numpy does when storing into the uint8 result.
public enum HistogramMatching {
    public static func match(_ source: [UInt8], to template: [UInt8]) -> [UInt8] {
        guard !source.isEmpty, !template.isEmpty else { return source }
        var sourceCounts = [Int](repeating: 0, count: 256), templateCounts = [Int](repeating: 0, count: 256)
        for v in source { sourceCounts[Int(v)] += 1 }
        for v in template { templateCounts[Int(v)] += 1 }
        let templateValues = (0..<256).filter { templateCounts[$0] > 0 }
        var templateQuantiles: [Double] = []
        var running = 0
        for v in templateValues {
            running += templateCounts[v]
            templateQuantiles.append(Double(running) / Double(template.count))
        }
        // bincount stops at the largest source value; quantiles run over that range.
        let top = Int(source.max()!)
        var mapped = [UInt8](repeating: 0, count: top + 1)
        running = 0
        for v in 0...top {
            running += sourceCounts[v]
            let q = Double(running) / Double(source.count)
            let value = interpolate(q, xs: templateQuantiles, ys: templateValues.map(Double.init))
            mapped[v] = UInt8(min(max(value, 0), 255))
        }
        return source.map { mapped[Int($0)] }
    }

    /// `numpy.interp`: clamped at both ends.
    static func interpolate(_ x: Double, xs: [Double], ys: [Double]) -> Double {
        if x <= xs[0] { return ys[0] }
        if x >= xs[xs.count - 1] { return ys[ys.count - 1] }
        var lo = 0, hi = xs.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if xs[mid] <= x { lo = mid } else { hi = mid }
        }
        let slope = (ys[hi] - ys[lo]) / (xs[hi] - xs[lo])
        return slope * (x - xs[lo]) + ys[lo]
    }
}
