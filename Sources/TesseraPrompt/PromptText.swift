/// Python's notions of whitespace, word characters and numbers, which A1111's regexes and
/// `float()` calls rely on, plus message formatting.
enum PromptText {
    /// The prompt in quotes, shortened in the middle when long.
    static func excerpt(_ prompt: String, limit: Int = 80) -> String {
        guard prompt.count > limit else { return "'\(prompt)'" }
        return "'\(prompt.prefix(limit / 2))…\(prompt.suffix(limit / 2))'"
    }

    /// Python `str.isspace()` for one scalar.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { CLIPTextCleaner.isPythonWhitespace(s) }

    /// Python's `\w` for `str` patterns: letters, digits/numerics and underscore.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || ((v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A) || v == 0x5F
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return s.properties.numericType != nil
        }
    }

    /// Python `\d` for `str` patterns (any Unicode decimal digit).
    static func isDecimalDigit(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .decimalNumber
    }

    /// A decimal number as Python `float()` reads it (surrounding whitespace allowed; no hex,
    /// no underscores), or nil.
    static func decimalNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingPythonWhitespace()
        guard !trimmed.isEmpty, trimmed.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) else {
            return nil
        }
        return Double(trimmed)
    }

    /// Python `float()` on a string of signs, dots and Unicode decimal digits; nil where Python raises.
    static func pythonFloat(_ text: String) -> Double? {
        var ascii = ""
        for s in text.unicodeScalars {
            if isDecimalDigit(s), let digit = s.properties.numericValue {
                ascii.append(Character(String(Int(digit))))
            } else {
                ascii.unicodeScalars.append(s)
            }
        }
        // Python accepts "1." and ".5"; reject forms Swift would take but Python would not.
        guard ascii.contains(where: \.isNumber) else { return nil }
        return Double(ascii)
    }
}

extension String {
    /// Python `str.strip()`.
    func trimmingPythonWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !PromptText.isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !PromptText.isWhitespace($0) }) else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }
}
