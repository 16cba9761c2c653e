/// A1111's `parse_prompt_attention` (modules/prompt_parser.py, v1.10): splits a prompt into
/// [`WeightedFragment`]s.
///
/// * `(text)` ×1.1, `[text]` ÷1.1, `(text:1.3)` ×1.3; groups nest and multiply.
/// * `\(` `\)` `\[` `\]` `\\` are literal characters; a lone `\` is dropped.
/// * A closer without an opener is plain text; an unclosed opener applies its default
///   multiplier up to the end of the prompt.
/// * Whole-word `BREAK` (with the whitespace around it) becomes [`WeightedFragment.breakMarker`].
/// * Neighbours with equal weights are merged; an empty prompt is `[("", 1.0)]`.
///
/// Weights are multiplied in A1111's order, in `Double`, so they agree with Python bit for bit.
public enum PromptAttentionParser {
    static let roundMultiplier = 1.1
    static let squareMultiplier = 1 / 1.1

    /// Parses `prompt`. Throws only where A1111 itself fails: a weight such as `(a:1.2.3)` that
    /// looks numeric but is not a number.
    public static func parse(_ prompt: String) throws -> [WeightedFragment] {
        var result: [WeightedFragment] = []
        var roundOpeners: [Int] = []
        var squareOpeners: [Int] = []

        func multiply(from start: Int, by multiplier: Double) {
            for p in start..<result.count { result[p].weight *= multiplier }
        }

        for token in AttentionLexer.tokens(of: prompt) {
            switch token {
            case let .escaped(text):
                result.append(WeightedFragment(text, 1.0))
            case .openRound:
                roundOpeners.append(result.count)
            case .openSquare:
                squareOpeners.append(result.count)
            case let .closeRoundWithWeight(raw, number) where !roundOpeners.isEmpty:
                guard let weight = PromptText.pythonFloat(number) else {
                    throw PromptSyntaxError.invalidWeight(weight: String(raw.dropFirst().dropLast()).trimmingPythonWhitespace(), prompt: prompt)
                }
                multiply(from: roundOpeners.removeLast(), by: weight)
            case .closeRound where !roundOpeners.isEmpty:
                multiply(from: roundOpeners.removeLast(), by: roundMultiplier)
            case .closeSquare where !squareOpeners.isEmpty:
                multiply(from: squareOpeners.removeLast(), by: squareMultiplier)
            default:
                for (i, part) in BreakKeyword.split(token.text).enumerated() {
                    if i > 0 { result.append(.breakMarker) }
                    result.append(WeightedFragment(part, 1.0))
                }
            }
        }
        for start in roundOpeners { multiply(from: start, by: roundMultiplier) }
        for start in squareOpeners { multiply(from: start, by: squareMultiplier) }

        if result.isEmpty { return [WeightedFragment("", 1.0)] }

        var merged: [WeightedFragment] = [result[0]]
        for fragment in result.dropFirst() {
            if merged[merged.count - 1].weight == fragment.weight {
                merged[merged.count - 1].text += fragment.text
            } else {
                merged.append(fragment)
            }
        }
        return merged
    }
}

/// The tokens of A1111's `re_attention` pattern, in its alternative order.
enum AttentionToken: Equatable {
    /// `\(` `\)` `\[` `\]` `\\` (text = the character) or a lone `\` (text = "").
    case escaped(String)
    case openRound
    case openSquare
    /// `:` + spaces + `[+-]?[.\d]+` + spaces + `)`; `raw` is the whole match, `number` the group.
    case closeRoundWithWeight(raw: String, number: String)
    case closeRound
    case closeSquare
    /// A run of anything but `\ ( ) [ ] :`, or a single `:`.
    case text(String)

    /// The matched source text, used when a closer has no opener and falls back to text.
    var text: String {
        switch self {
        case let .escaped(t): return "\\" + t
        case .openRound: return "("
        case .openSquare: return "["
        case let .closeRoundWithWeight(raw, _): return raw
        case .closeRound: return ")"
        case .closeSquare: return "]"
        case let .text(t): return t
        }
    }
}

enum AttentionLexer {
    static func tokens(of prompt: String) -> [AttentionToken] {
        let s = Array(prompt.unicodeScalars)
        var tokens: [AttentionToken] = []
        var i = 0
        func string(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s[range])
            return String(view)
        }
        while i < s.count {
            switch s[i] {
            case "\\":
                if i + 1 < s.count, "()[]\\".unicodeScalars.contains(s[i + 1]) {
                    tokens.append(.escaped(String(Character(s[i + 1]))))
                    i += 2
                } else {
                    tokens.append(.escaped(""))
                    i += 1
                }
            case "(":
                tokens.append(.openRound); i += 1
            case "[":
                tokens.append(.openSquare); i += 1
            case ":":
                if let (end, number) = weightCloser(s, from: i) {
                    tokens.append(.closeRoundWithWeight(raw: string(i..<end), number: number))
                    i = end
                } else {
                    tokens.append(.text(":")); i += 1
                }
            case ")":
                tokens.append(.closeRound); i += 1
            case "]":
                tokens.append(.closeSquare); i += 1
            default:
                var j = i + 1
                while j < s.count, !"\\()[]:".unicodeScalars.contains(s[j]) { j += 1 }
                tokens.append(.text(string(i..<j)))
                i = j
            }
        }
        return tokens
    }

    /// Matches `:\s*([+-]?[.\d]+)\s*\)` at `i`; returns the end index and the number group.
    private static func weightCloser(_ s: [Unicode.Scalar], from i: Int) -> (Int, String)? {
        var j = i + 1
        while j < s.count, PromptText.isWhitespace(s[j]) { j += 1 }
        let numberStart = j
        if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
        let digitsStart = j
        while j < s.count, s[j] == "." || PromptText.isDecimalDigit(s[j]) { j += 1 }
        guard j > digitsStart else { return nil }
        let numberEnd = j
        while j < s.count, PromptText.isWhitespace(s[j]) { j += 1 }
        guard j < s.count, s[j] == ")" else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[numberStart..<numberEnd])
        return (j + 1, String(view))
    }
}

/// A1111's `re_break` split: `\s*\bBREAK\b\s*`.
enum BreakKeyword {
    static func split(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        let keyword = Array("BREAK".unicodeScalars)
        var parts: [String] = []
        var partStart = 0
        var i = 0
        func string(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s[range])
            return String(view)
        }
        while i + keyword.count <= s.count {
            guard s[i] == "B", Array(s[i..<(i + keyword.count)]) == keyword,
                  i == 0 || !PromptText.isWordCharacter(s[i - 1]),
                  i + keyword.count == s.count || !PromptText.isWordCharacter(s[i + keyword.count]) else {
                i += 1
                continue
            }
            var matchStart = i
            while matchStart > partStart, PromptText.isWhitespace(s[matchStart - 1]) { matchStart -= 1 }
            var matchEnd = i + keyword.count
            while matchEnd < s.count, PromptText.isWhitespace(s[matchEnd]) { matchEnd += 1 }
            parts.append(string(partStart..<matchStart))
            partStart = matchEnd
            i = matchEnd
        }
        parts.append(string(partStart..<s.count))
        return parts
    }
}
