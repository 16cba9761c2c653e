import Foundation

/// A prompt that cannot be turned into conditioning at all (A1111 would raise here too).
public enum PromptSyntaxError: Error, Equatable, CustomStringConvertible {
    /// `(text:weight)` whose weight matches A1111's number pattern but is no number, e.g. `1.2.3`.
    case invalidWeight(weight: String, prompt: String)

    public var description: String {
        switch self {
        case let .invalidWeight(weight, prompt):
            return "prompt: '\(weight)' in \(PromptText.excerpt(prompt)) is not a number; write a weight like (text:1.2)"
        }
    }
}

extension PromptSyntaxError: LocalizedError {
    public var errorDescription: String? { description }
}
