/// A1111's "Emphasis mode" setting (`opts.emphasis`).
public enum EmphasisMode: String, Sendable, CaseIterable, Codable {
    /// Brackets are literal text and `BREAK` is an ordinary word; no weighting.
    case none = "None"
    /// Brackets and `BREAK` are parsed, but weights are not applied.
    case ignore = "Ignore"
    /// Multiply each token's vector by its weight, then restore the chunk's mean (A1111 default).
    case original = "Original"
    /// Multiply by the weights without restoring the mean.
    case noNorm = "No norm"

    /// Whether `(…)`, `[…]` and `BREAK` are parsed at all.
    public var parsesAttention: Bool { self != .none }

    /// The `Emphasis` infotext value A1111 adds: the mode's name when it is not `Original` and
    /// any encoded text contains `(` or `[`; otherwise nil (no key).
    public func infotextValue(forEncodedTexts texts: [String]) -> String? {
        guard self != .original, texts.contains(where: { $0.contains("(") || $0.contains("[") }) else { return nil }
        return rawValue
    }
}
