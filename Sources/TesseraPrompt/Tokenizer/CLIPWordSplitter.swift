/// CLIP's pre-tokenizer: the pieces `re.findall` returns for OpenAI's pattern
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// on already cleaned, lower-cased text.
///
/// Written as a scanner instead of a regex because it runs on every prompt and every word; the
/// alternatives are tried in the pattern's order at each start position, exactly like the regex.
enum CLIPWordSplitter {
    private static let specialTokens: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map {
        Array($0.unicodeScalars)
    }
    private static let contractions: [[Unicode.Scalar]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map {
        Array($0.unicodeScalars)
    }

    /// Splits `text` into pieces; whitespace between pieces is dropped.
    static func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s.properties.isWhitespace {
                i += 1
                continue
            }
            let end = pieceEnd(scalars, from: i)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[i..<end])
            pieces.append(String(view))
            i = end
        }
        return pieces
    }

    private static func pieceEnd(_ t: [Unicode.Scalar], from i: Int) -> Int {
        if t[i] == "<" {
            for special in specialTokens where hasPrefix(t, special, at: i) { return i + special.count }
        }
        if t[i] == "'" {
            for contraction in contractions where hasPrefix(t, contraction, at: i) { return i + contraction.count }
        }
        if isLetter(t[i]) {
            var j = i + 1
            while j < t.count, isLetter(t[j]) { j += 1 }
            return j
        }
        if isNumber(t[i]) { return i + 1 }
        var j = i + 1
        while j < t.count, !t[j].properties.isWhitespace, !isLetter(t[j]), !isNumber(t[j]) { j += 1 }
        return j
    }

    private static func hasPrefix(_ t: [Unicode.Scalar], _ prefix: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + prefix.count <= t.count else { return false }
        for k in 0..<prefix.count where t[i + k] != prefix[k] { return false }
        return true
    }

    /// `\p{L}`.
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`.
    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return s.value >= 0x30 && s.value <= 0x39 }
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}
