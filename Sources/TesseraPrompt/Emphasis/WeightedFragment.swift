/// A run of prompt text with one attention weight, as A1111's `parse_prompt_attention` returns it.
public struct WeightedFragment: Sendable, Equatable, CustomStringConvertible {
    /// The text, with brackets and escapes already resolved.
    public var text: String
    /// The product of all enclosing group multipliers (1.0 for plain text).
    public var weight: Double

    public init(_ text: String, _ weight: Double) {
        self.text = text
        self.weight = weight
    }

    /// A1111 marks `BREAK` as the fragment `("BREAK", -1)`.
    public static let breakMarker = WeightedFragment("BREAK", -1)

    /// True for the `BREAK` marker (text `BREAK` with weight −1).
    public var isBreak: Bool { text == "BREAK" && weight == -1 }

    public var description: String { "[\(text.debugDescription), \(weight)]" }
}
