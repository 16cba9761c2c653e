/// Formats a number of seconds the way progress bars show it: `m:ss`, or `h:mm:ss` past an hour, `--:--` if unknown.
public func formatDuration(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0 else { return "--:--" }
    let whole = Int(seconds.rounded(.up))
    let h = whole / 3600, m = (whole % 3600) / 60, s = whole % 60
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
}
