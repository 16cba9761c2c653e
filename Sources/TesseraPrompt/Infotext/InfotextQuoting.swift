/// A1111's `infotext_utils.quote` / `unquote`: values with `,`, `:` or a newline are written as
/// JSON strings (`json.dumps(ensure_ascii=False)`), everything else raw.
public enum InfotextQuoting {
    /// A value as A1111 writes it into the parameter line: JSON-quoted when it holds `,` `:` or a newline.
    public static func quote(_ value: String) -> String {
        guard value.contains(",") || value.contains(":") || value.contains("\n") else { return value }
        return jsonString(value)
    }

    /// `json.dumps(value, ensure_ascii=False)` for a string.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for s in value.unicodeScalars {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if s.value < 0x20 {
                    let hex = String(s.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out + "\""
    }

    /// `unquote`: a value wrapped in `"` is decoded as a JSON string; if that fails, or it is not
    /// wrapped, it is returned unchanged.
    static func unquote(_ value: String) -> String {
        let s = Array(value.unicodeScalars)
        guard s.count >= 2, s.first == "\"", s.last == "\"" else { return value }
        return decodeJSONString(s) ?? value
    }

    /// Strict JSON string decoding of the whole of `s` (`json.loads`): no raw control
    /// characters, only JSON escapes, nothing after the closing quote.
    private static func decodeJSONString(_ s: [Unicode.Scalar]) -> String? {
        var out = String.UnicodeScalarView()
        var i = 1
        while i < s.count {
            let c = s[i]
            if c == "\"" {
                return i == s.count - 1 ? String(out) : nil
            }
            if c.value < 0x20 { return nil }
            if c != "\\" {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < s.count else { return nil }
            switch s[i + 1] {
            case "\"": out.append("\"")
            case "\\": out.append("\\")
            case "/": out.append("/")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "u":
                guard let unit = hex4(s, i + 2) else { return nil }
                i += 6
                if (0xD800..<0xDC00).contains(unit), i + 1 < s.count, s[i] == "\\", s[i + 1] == "u",
                   let low = hex4(s, i + 2), (0xDC00..<0xE000).contains(low) {
                    let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    out.append(Unicode.Scalar(scalar)!)
                    i += 6
                } else {
                    // A lone surrogate cannot live in a Swift string.
                    out.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                }
                continue
            default:
                return nil
            }
            i += 2
        }
        return nil
    }

    private static func hex4(_ s: [Unicode.Scalar], _ at: Int) -> UInt32? {
        guard at + 4 <= s.count else { return nil }
        var digits = ""
        digits.unicodeScalars.append(contentsOf: s[at..<(at + 4)])
        guard digits.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        return UInt32(digits, radix: 16)
    }
}
