/// Turns a progress snapshot into one line of text: a bar for terminals, a plain log line otherwise.
public struct ProgressLineFormatter: Sendable {
    public var label: String
    public var unit: String
    public var barWidth: Int

    public init(label: String, unit: String = "tiles", barWidth: Int = 30) {
        self.label = label
        self.unit = unit
        self.barWidth = max(5, barWidth)
    }

    /// `label [=========>          ] 12/48 tiles  25%  3.1 tiles/s  ETA 0:12  detail`
    public func barLine(_ s: ProgressSnapshot) -> String {
        let filled = Int((s.fraction * Double(barWidth)).rounded(.down))
        var bar = String(repeating: "=", count: filled)
        if filled < barWidth { bar += ">" + String(repeating: " ", count: barWidth - filled - 1) }
        return compose(prefix: "\(label) [\(bar)]", s)
    }

    /// `label: 12/48 tiles (25%), 3.1 tiles/s, ETA 0:12` — for logs and pipes, where redrawing is impossible.
    public func plainLine(_ s: ProgressSnapshot) -> String {
        compose(prefix: "\(label):", s)
    }

    private func compose(prefix: String, _ s: ProgressSnapshot) -> String {
        let percent = Int((s.fraction * 100).rounded(.down))
        var parts = ["\(prefix) \(s.completed)/\(s.total) \(unit)", "\(percent)%"]
        if let rate = s.rate { parts.append("\(formatRate(rate)) \(unit)/s") }
        parts.append("ETA \(formatDuration(s.secondsRemaining))")
        if !s.detail.isEmpty { parts.append(s.detail) }
        return parts.joined(separator: "  ")
    }
}

/// A rate with two significant decimals below 10 and one above, e.g. `0.25`, `3.1`, `120.0`.
public func formatRate(_ rate: Double) -> String {
    guard rate.isFinite else { return "?" }
    let decimals = rate < 10 ? 2 : 1
    let scale = decimals == 2 ? 100.0 : 10.0
    let rounded = (rate * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let fractional = text.distance(from: dot, to: text.endIndex) - 1
        if fractional < decimals { text += String(repeating: "0", count: decimals - fractional) }
    }
    return text
}
