/// A1111's composable diffusion split (`get_multicond_prompt_list`): a prompt is cut at every
/// whole-word `AND`; each part may end in `:weight` (default 1.0).
public struct ComposablePrompt: Sendable, Equatable {
    /// One sub-prompt and its weight in the guidance sum.
    public struct Part: Sendable, Equatable {
        public var text: String
        public var weight: Double

        public init(text: String, weight: Double) {
            self.text = text
            self.weight = weight
        }
    }

    /// At least one part; text keeps its leading whitespace, as in A1111.
    public var parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// Splits `prompt` on `\bAND\b` and reads each part's trailing `: number`.
    public init(_ prompt: String) {
        parts = Self.splitOnAND(prompt).map(Self.part)
    }

    /// The distinct part texts in first-appearance order (A1111 encodes each once).
    public var distinctTexts: [String] {
        var seen: Set<String> = [], out: [String] = []
        for part in parts where seen.insert(part.text).inserted { out.append(part.text) }
        return out
    }

    private static func splitOnAND(_ prompt: String) -> [String] {
        let s = Array(prompt.unicodeScalars)
        let keyword = Array("AND".unicodeScalars)
        var pieces: [String] = [], start = 0, i = 0
        func piece(_ r: Range<Int>) -> String {
            var v = String.UnicodeScalarView(); v.append(contentsOf: s[r]); return String(v)
        }
        while i + keyword.count <= s.count {
            if Array(s[i..<(i + 3)]) == keyword,
               i == 0 || !PromptText.isWordCharacter(s[i - 1]),
               i + 3 == s.count || !PromptText.isWordCharacter(s[i + 3]) {
                pieces.append(piece(start..<i))
                start = i + 3
                i += 3
            } else {
                i += 1
            }
        }
        pieces.append(piece(start..<s.count))
        return pieces
    }

    /// `^((?:\s|.)*?)(?:\s*:\s*([-+]?(?:\d+\.?|\d*\.\d+)))?\s*$`: the weight is whatever follows
    /// the last colon when that is a plain number; trailing whitespace never belongs to the text.
    private static func part(_ subprompt: String) -> Part {
        var s = Array(subprompt.unicodeScalars)
        while let last = s.last, PromptText.isWhitespace(last) { s.removeLast() }
        func string(_ r: Range<Int>) -> String {
            var v = String.UnicodeScalarView(); v.append(contentsOf: s[r]); return String(v)
        }
        if let colon = s.lastIndex(of: ":") {
            var j = colon + 1
            while j < s.count, PromptText.isWhitespace(s[j]) { j += 1 }
            let number = string(j..<s.count)
            if isWeight(Array(number.unicodeScalars)), let weight = PromptText.pythonFloat(number) {
                var end = colon
                while end > 0, PromptText.isWhitespace(s[end - 1]) { end -= 1 }
                return Part(text: string(0..<end), weight: weight)
            }
        }
        return Part(text: string(0..<s.count), weight: 1.0)
    }

    /// `[-+]?(?:\d+\.?|\d*\.\d+)` matching the whole string.
    private static func isWeight(_ n: [Unicode.Scalar]) -> Bool {
        var i = 0
        if i < n.count, n[i] == "+" || n[i] == "-" { i += 1 }
        let body = n[i...]
        let dots = body.filter { $0 == "." }.count
        guard dots <= 1, body.allSatisfy({ $0 == "." || PromptText.isDecimalDigit($0) }) else { return false }
        if dots == 0 { return !body.isEmpty }
        // "1." and ".5" and "1.5" are fine; "." is not.
        return body.count > 1
    }
}
