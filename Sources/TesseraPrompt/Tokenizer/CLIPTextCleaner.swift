import Foundation

/// Text clean-up applied before CLIP's word split, as A1111's tokenizer does it.
///
/// A1111 uses transformers' `CLIPTokenizer` with `ftfy` installed (open-clip pulls it in), so a
/// prompt goes through `ftfy.fix_text`, then `\s+` → one space and `strip()`, then Python
/// `str.lower()`. This type reproduces the deterministic parts of `fix_text`: C1 controls read as
/// Windows-1252, Latin ligatures split, half/full-width forms narrowed, curly quotes straightened,
/// line breaks unified, terminal escapes and invisible control characters removed, NFC. It does
/// not reproduce ftfy's heuristic mojibake repair or its HTML entity decoding.
enum CLIPTextCleaner {
    /// Cleans `text` and returns it lower-cased with single spaces between words.
    static func clean(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        // fix_text repeats its fixers until nothing changes; two rounds settle every input the
        // deterministic fixers can produce, a loop keeps it honest anyway.
        for _ in 0..<8 {
            let fixed = ftfyRound(scalars)
            if fixed == scalars { break }
            scalars = fixed
        }
        let collapsed = collapseWhitespace(scalars)
        return lowercased(collapsed)
    }

    // MARK: - ftfy fixers, in ftfy's order

    private static func ftfyRound(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        for s in input {
            let v = s.value
            if (0x80...0x9F).contains(v) {
                out.append(windows1252C1[Int(v - 0x80)])
            } else if let ligature = ligatures[v] {
                out.append(contentsOf: ligature.unicodeScalars)
            } else if let narrow = widthMap[v] {
                out.append(contentsOf: narrow)
            } else if v == 0x02BC || (0x2018...0x201B).contains(v) {
                out.append("'")
            } else if (0x201C...0x201F).contains(v) {
                out.append("\"")
            } else {
                out.append(s)
            }
        }
        out = unifyLineBreaks(out)
        out = removeTerminalEscapes(out)
        out.removeAll(where: isInvisibleControl)
        let normalized = String(String.UnicodeScalarView(out)).precomposedStringWithCanonicalMapping
        return Array(normalized.unicodeScalars)
    }

    /// Windows-1252 meaning of bytes 0x80…0x9F; the five undefined ones stay as they are
    /// (ftfy's "sloppy" codec).
    private static let windows1252C1: [Unicode.Scalar] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ].map { Unicode.Scalar(UInt32($0))! }

    private static let ligatures: [UInt32: String] = [
        0x0132: "IJ", 0x0133: "ij", 0x0149: "\u{02BC}n",
        0x01F1: "DZ", 0x01F2: "Dz", 0x01F3: "dz",
        0x01C4: "D\u{017D}", 0x01C5: "D\u{017E}", 0x01C6: "d\u{017E}",
        0x01C7: "LJ", 0x01C8: "Lj", 0x01C9: "lj",
        0x01CA: "NJ", 0x01CB: "Nj", 0x01CC: "nj",
        0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl",
        0xFB05: "\u{017F}t", 0xFB06: "st",
    ]

    /// Half- and full-width forms (U+FF01…U+FFEF) to their NFKC form, plus the ideographic space.
    private static let widthMap: [UInt32: [Unicode.Scalar]] = {
        var map: [UInt32: [Unicode.Scalar]] = [0x3000: [" "]]
        for v in UInt32(0xFF01)..<0xFFF0 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let original = String(Character(scalar))
            let compatible = original.precomposedStringWithCompatibilityMapping
            if compatible != original { map[v] = Array(compatible.unicodeScalars) }
        }
        return map
    }()

    /// CRLF, CR, U+2028, U+2029 and U+0085 all become `\n`.
    private static func unifyLineBreaks(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let v = input[i].value
            if v == 0x0D {
                out.append("\n")
                if i + 1 < input.count, input[i + 1].value == 0x0A { i += 1 }
            } else if v == 0x2028 || v == 0x2029 || v == 0x85 {
                out.append("\n")
            } else {
                out.append(input[i])
            }
            i += 1
        }
        return out
    }

    /// Removes ANSI sequences `ESC [ (digits|;)* letter`.
    private static func removeTerminalEscapes(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard input.contains(where: { $0.value == 0x1B }) else { return input }
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < input.count {
            if input[i].value == 0x1B, i + 1 < input.count, input[i + 1] == "[" {
                var j = i + 2
                while j < input.count, input[j].properties.generalCategory == .decimalNumber || input[j] == ";" {
                    j += 1
                }
                if j < input.count, input[j].isASCII, input[j].properties.isAlphabetic {
                    i = j + 1
                    continue
                }
            }
            out.append(input[i])
            i += 1
        }
        return out
    }

    /// ftfy's `remove_control_chars` set: C0 controls except tab/LF/FF/CR, DEL, deprecated
    /// format characters U+206A…U+206F, the BOM and interlinear annotation marks.
    private static func isInvisibleControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v <= 0x08 || v == 0x0B || (0x0E...0x1F).contains(v) || v == 0x7F
            || (0x206A...0x206F).contains(v) || v == 0xFEFF || (0xFFF9...0xFFFC).contains(v)
    }

    // MARK: - whitespace_clean and lower()

    /// Python `str.isspace()`.
    static func isPythonWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static func collapseWhitespace(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        var pendingSpace = false
        for s in input {
            if isPythonWhitespace(s) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(s)
            }
        }
        return out
    }

    /// Python `str.lower()`: full lower-case mapping, with capital sigma becoming final sigma
    /// when it ends a word (Swift's `lowercased()` has no final-sigma rule).
    private static func lowercased(_ input: [Unicode.Scalar]) -> String {
        var out = String.UnicodeScalarView()
        for (i, s) in input.enumerated() {
            if s.value == 0x03A3 {
                out.append(isFinalSigma(input, at: i) ? "\u{03C2}" : "\u{03C3}")
            } else if s.isASCII {
                out.append(s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(s.value + 32)! : s)
            } else {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    private static func isFinalSigma(_ text: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0, text[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, text[j].properties.isCased else { return false }
        j = i + 1
        while j < text.count, text[j].properties.isCaseIgnorable { j += 1 }
        return j == text.count || !text[j].properties.isCased
    }
}
