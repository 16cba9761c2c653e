/// `re.findall` of A1111's `re_param` on the parameter line:
/// `\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)`.
enum InfotextParameterScanner {
    /// The raw (still quoted) key/value pairs, in line order.
    static func pairs(in line: String) -> [(key: String, value: String)] {
        let s = Array(line.unicodeScalars)
        var found: [(String, String)] = []
        var start = 0
        while start < s.count {
            if let (end, key, value) = match(s, at: start) {
                found.append((key, value))
                start = max(end, start + 1)
            } else {
                start += 1
            }
        }
        return found
    }

    private static func isKeyTail(_ c: Unicode.Scalar) -> Bool {
        PromptText.isWordCharacter(c) || c == " " || c == "-" || c == "/"
    }

    private static func match(_ s: [Unicode.Scalar], at start: Int) -> (Int, String, String)? {
        var i = start
        while i < s.count, PromptText.isWhitespace(s[i]) { i += 1 }
        guard i < s.count, PromptText.isWordCharacter(s[i]) else { return nil }
        let keyStart = i
        var j = i + 1
        while j < s.count, isKeyTail(s[j]) { j += 1 }
        guard j > i + 1, j < s.count, s[j] == ":" else { return nil }
        let key = text(s, keyStart..<j)
        var v = j + 1
        while v < s.count, PromptText.isWhitespace(s[v]) { v += 1 }
        if let quotedEnd = quotedValueEnd(s, from: v), quotedEnd == s.count || s[quotedEnd] == "," {
            return (quotedEnd == s.count ? quotedEnd : quotedEnd + 1, key, text(s, v..<quotedEnd))
        }
        var e = v
        while e < s.count, s[e] != "," { e += 1 }
        return (e == s.count ? e : e + 1, key, text(s, v..<e))
    }

    /// End (exclusive) of `"(?:\\.|[^\\"])+"` starting at `v`.
    private static func quotedValueEnd(_ s: [Unicode.Scalar], from v: Int) -> Int? {
        guard v < s.count, s[v] == "\"" else { return nil }
        var k = v + 1
        var count = 0
        while k < s.count {
            if s[k] == "\\" {
                guard k + 1 < s.count, s[k + 1] != "\n" else { return nil }
                k += 2
            } else if s[k] == "\"" {
                return count > 0 ? k + 1 : nil
            } else {
                k += 1
            }
            count += 1
        }
        return nil
    }

    private static func text(_ s: [Unicode.Scalar], _ r: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[r])
        return String(view)
    }
}
