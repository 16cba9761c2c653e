/// Something in a prompt that A1111 would silently read differently from what was probably meant.
public struct PromptIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The prompt cannot be what the user meant (unbalanced bracket, unreadable weight or tag).
        case error
        /// Legal, but looks like a typo (e.g. `(cat:abc)`, which weighs the text `cat:abc` ×1.1).
        case warning
    }

    public var severity: Severity
    /// 1-based character position in the prompt.
    public var position: Int
    /// A complete sentence starting with "prompt:".
    public var message: String

    public init(_ severity: Severity, at position: Int, _ message: String) {
        self.severity = severity
        self.position = position
        self.message = message
    }

    public var description: String { message }
}
