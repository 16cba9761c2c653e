import Foundation

/// Strict checks the CLI runs before accepting a prompt. A1111 accepts all of these silently;
/// Tessera reports them so a typo does not cost a whole cluster render.
public enum PromptValidator {
    /// Every issue found, in prompt order.
    public static func issues(in prompt: String) -> [PromptIssue] {
        // Tags are removed before A1111 looks at brackets; blank them out so positions stay.
        var masked = Array(prompt.unicodeScalars)
        for (range, _) in ExtraNetworkParser.tagRanges(in: masked) {
            for k in range { masked[k] = " " }
        }
        var issues = bracketIssues(Array(masked), quoted: PromptText.excerpt(prompt)) + extraNetworkIssues(prompt, masked: masked)
            + bracketedBreakIssues(masked, quoted: PromptText.excerpt(prompt))
        issues.sort { $0.position < $1.position }
        return issues
    }

    /// Throws a `PromptValidationError` listing the errors (warnings do not throw).
    public static func validate(_ prompt: String, field: String = "prompt") throws {
        let errors = issues(in: prompt).filter { $0.severity == .error }
        if !errors.isEmpty { throw PromptValidationError(field: field, issues: errors) }
    }

    private static func bracketIssues(_ s: [Unicode.Scalar], quoted: String) -> [PromptIssue] {
        var issues: [PromptIssue] = []
        var open: [(char: Unicode.Scalar, index: Int)] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "\\" {
                i += 2
                continue
            }
            switch c {
            case "(", "[":
                open.append((c, i))
            case ")", "]":
                let opener: Unicode.Scalar = c == ")" ? "(" : "["
                if let last = open.last, last.char == opener {
                    open.removeLast()
                    if c == ")" { issues += weightIssues(s, groupStart: last.index, groupEnd: i, quoted: quoted) }
                } else if let last = open.last {
                    issues.append(PromptIssue(.error, at: i + 1,
                        "prompt: \(quoted) closes '\(last.char)' (character \(last.index + 1)) with '\(c)' at character \(i + 1)"))
                    open.removeLast()
                } else {
                    issues.append(PromptIssue(.error, at: i + 1,
                        "prompt: \(quoted) has a '\(c)' at character \(i + 1) with no '\(opener)' before it; write \\\(c) for a literal bracket"))
                }
            default:
                break
            }
            i += 1
        }
        for unclosed in open {
            issues.append(PromptIssue(.error, at: unclosed.index + 1,
                "prompt: \(quoted) has an unclosed '\(unclosed.char)' at character \(unclosed.index + 1)"))
        }
        return issues
    }

    /// Inside `( … )`: a last `:` followed by one word that is not a number is most likely a
    /// broken weight (warning); a numeric-looking one Python cannot read is an error.
    private static func weightIssues(_ s: [Unicode.Scalar], groupStart: Int, groupEnd: Int, quoted: String) -> [PromptIssue] {
        var depth = 0
        var colon: Int?
        var k = groupStart + 1
        while k < groupEnd {
            switch s[k] {
            case "\\": k += 1
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            case ":" where depth == 0: colon = k
            default: break
            }
            k += 1
        }
        guard let colon else { return [] }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[(colon + 1)..<groupEnd])
        let weight = String(view).trimmingPythonWhitespace()
        let looksNumeric = weight.unicodeScalars.allSatisfy { "+-.".unicodeScalars.contains($0) || PromptText.isDecimalDigit($0) }
        if weight.isEmpty {
            return [PromptIssue(.warning, at: colon + 1, "prompt: \(quoted) has an empty weight after ':' at character \(colon + 1); the group is weighted 1.1")]
        }
        if looksNumeric {
            if PromptText.pythonFloat(weight) == nil {
                return [PromptIssue(.error, at: colon + 1, "prompt: \(quoted) has weight '\(weight)' at character \(colon + 2), which is not a number")]
            }
            return []
        }
        // `(cat:abc)` or `(cat: 1.2x)` look like weights; `(style: watercolor)` is prose.
        let touchesColon = !PromptText.isWhitespace(s[colon + 1])
        let startsLikeNumber = weight.unicodeScalars.first.map { "+-.".unicodeScalars.contains($0) || PromptText.isDecimalDigit($0) } ?? false
        if !weight.unicodeScalars.contains(where: PromptText.isWhitespace), touchesColon || startsLikeNumber {
            return [PromptIssue(.warning, at: colon + 1,
                "prompt: \(quoted) has '\(weight)' after ':' at character \(colon + 1), which is not a number, so it is read as text weighted 1.1")]
        }
        return []
    }

    /// A1111 only treats a `BREAK` fragment of weight exactly −1 as a chunk break; inside a
    /// group its weight is multiplied too, so it is encoded as the word "break" with a negative
    /// weight instead.
    private static func bracketedBreakIssues(_ s: [Unicode.Scalar], quoted: String) -> [PromptIssue] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s)
        guard let fragments = try? PromptAttentionParser.parse(String(view)),
              fragments.contains(where: { $0.text == "BREAK" && $0.weight != -1 }) else { return [] }
        let keyword = Array("BREAK".unicodeScalars)
        var depth = 0, i = 0
        while i < s.count {
            switch s[i] {
            case "\\": i += 1
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            case "B" where depth > 0 && i + keyword.count <= s.count && Array(s[i..<(i + keyword.count)]) == keyword:
                return [PromptIssue(.warning, at: i + 1,
                    "prompt: \(quoted) has BREAK inside brackets at character \(i + 1); A1111 encodes it as the word 'break' with a negative weight instead of starting a new chunk")]
            default: break
            }
            i += 1
        }
        return [PromptIssue(.warning, at: 1, "prompt: \(quoted) has BREAK inside brackets; A1111 encodes it as the word 'break' with a negative weight instead of starting a new chunk")]
    }

    private static func extraNetworkIssues(_ prompt: String, masked s: [Unicode.Scalar]) -> [PromptIssue] {
        let quoted = PromptText.excerpt(prompt)
        var issues: [PromptIssue] = []
        for (range, tag) in ExtraNetworkParser.tagRanges(in: Array(prompt.unicodeScalars))
            where LoraReference.tagKinds.contains(tag.kind) {
            do {
                _ = try LoraReference(tag: tag)
            } catch {
                issues.append(PromptIssue(.error, at: range.lowerBound + 1, "\(error)"))
            }
        }
        // What is left after removing valid tags must not still look like a tag.
        for (i, c) in s.enumerated() where c == "<" {
            var j = i + 1
            while j < s.count, PromptText.isWordCharacter(s[j]) { j += 1 }
            guard j > i + 1, j < s.count, s[j] == ":" else { continue }
            var name = String.UnicodeScalarView(); name.append(contentsOf: s[(i + 1)..<j])
            guard LoraReference.tagKinds.contains(String(name)) || String(name) == "hypernet" else { continue }
            issues.append(PromptIssue(.error, at: i + 1, "prompt: \(quoted) has a '<\(String(name)):' tag that is empty or never closed with '>'"))
        }
        return issues
    }
}

/// The errors `PromptValidator.validate` found, as one message.
public struct PromptValidationError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var issues: [PromptIssue]

    public var description: String {
        issues.map { $0.message.replacingOccurrences(of: "prompt:", with: "\(field):", options: .anchored) }.joined(separator: "\n")
    }
}

extension PromptValidationError: LocalizedError {
    public var errorDescription: String? { description }
}
