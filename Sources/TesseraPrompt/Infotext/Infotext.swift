/// One `key: value` of an infotext's parameter line (value unquoted).
public struct InfotextField: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A1111's PNG `parameters` text: prompt line(s), an optional `Negative prompt:` part, and one
/// line of `key: value` pairs (A1111 `create_infotext` / `parse_generation_parameters`).
public struct Infotext: Sendable, Equatable {
    public var prompt: String
    public var negativePrompt: String
    /// Parameter pairs in line order; values are plain text (quoting happens when formatting).
    public var fields: [InfotextField]

    public init(prompt: String, negativePrompt: String = "", fields: [InfotextField] = []) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.fields = fields
    }

    /// The value of `key`; setting replaces it in place, or appends a new pair; nil removes it.
    public subscript(key: String) -> String? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(InfotextField(key, newValue))
            }
        }
    }

    /// The text exactly as A1111 writes it: values with `,` `:` or a newline JSON-quoted, a pair
    /// whose value equals its key written as the bare key, the whole thing stripped.
    public var text: String {
        let parameters = fields.map { $0.key == $0.value ? $0.key : "\($0.key): \(InfotextQuoting.quote($0.value))" }
            .joined(separator: ", ")
        let negative = negativePrompt.isEmpty ? "" : "\nNegative prompt: \(negativePrompt)"
        return "\(prompt)\(negative)\n\(parameters)".trimmingPythonWhitespace()
    }

    /// Parses A1111's format. The last line is the parameter line only if it holds at least
    /// three `key: value` pairs; lines before `Negative prompt:` are the prompt (each line
    /// stripped, as A1111 does); quoted values are JSON-decoded; a pair with an empty value is
    /// dropped (A1111 fails on it and skips it); a repeated key keeps its first position and
    /// its last value.
    public init(parsing text: String) {
        // Split on U+000A only, as Python does ("\r\n" is one Character in Swift).
        var lines = text.trimmingPythonWhitespace().unicodeScalars
            .split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        var lastLine = lines.removeLast()
        if InfotextParameterScanner.pairs(in: lastLine).count < 3 {
            lines.append(lastLine)
            lastLine = ""
        }
        var prompt = "", negative = "", inNegative = false
        for raw in lines {
            var line = raw.trimmingPythonWhitespace()
            if line.hasPrefix("Negative prompt:") {
                inNegative = true
                line = String(line.dropFirst("Negative prompt:".count)).trimmingPythonWhitespace()
            }
            if inNegative {
                negative += (negative.isEmpty ? "" : "\n") + line
            } else {
                prompt += (prompt.isEmpty ? "" : "\n") + line
            }
        }
        var parsed = Infotext(prompt: prompt, negativePrompt: negative)
        for (key, raw) in InfotextParameterScanner.pairs(in: lastLine) where !raw.isEmpty {
            parsed[key] = raw.unicodeScalars.first == "\"" && raw.unicodeScalars.last == "\"" ? InfotextQuoting.unquote(raw) : raw
        }
        self = parsed
    }

    /// The dictionary A1111's `parse_generation_parameters` returns (values as Python `str()`):
    /// every pair, `WxH` values split into `<key>-1` / `<key>-2`, `Prompt`, `Negative prompt`,
    /// and, with `includingDefaults`, the defaults A1111 fills in for missing keys. Styles and
    /// old-version back-compat rewrites are not applied.
    public func a1111Values(includingDefaults: Bool = true) -> [String: String] {
        var values: [String: String] = [:]
        for field in fields {
            if let (w, h) = Self.dimensions(field.value) {
                values["\(field.key)-1"] = w
                values["\(field.key)-2"] = h
            } else {
                values[field.key] = field.value
            }
        }
        values["Prompt"] = prompt
        values["Negative prompt"] = negativePrompt
        guard includingDefaults else { return values }
        for (key, value) in Self.pasteDefaults where values[key] == nil { values[key] = value }
        if values["Cache FP16 weight for LoRA"] == nil, values["FP8 weight"] != "Disable" {
            values["Cache FP16 weight for LoRA"] = "False"
        }
        if values["Emphasis"] == nil, usesEmphasis { values["Emphasis"] = "Original" }
        if values["Refiner switch by sampling steps"] == nil { values["Refiner switch by sampling steps"] = "False" }
        return values
    }

    /// A1111's defaults for keys an older or shorter infotext lacks.
    private static let pasteDefaults: [(String, String)] = [
        ("Clip skip", "1"), ("Hires resize-1", "0"), ("Hires resize-2", "0"), ("Hires sampler", "Use same sampler"),
        ("Hires schedule type", "Use same scheduler"), ("Hires checkpoint", "Use same checkpoint"),
        ("Hires prompt", ""), ("Hires negative prompt", ""), ("Mask mode", "Inpaint masked"),
        ("Masked content", "original"), ("Inpaint area", "Whole picture"), ("Masked area padding", "32"),
        ("RNG", "GPU"), ("Schedule type", "Automatic"), ("Schedule max sigma", "0"), ("Schedule min sigma", "0"),
        ("Schedule rho", "0"), ("VAE Encoder", "Full"), ("VAE Decoder", "Full"), ("FP8 weight", "Disable"),
    ]

    /// Whether either prompt has a weight other than 1 (A1111 then assumes "Original" emphasis).
    private var usesEmphasis: Bool {
        let fragments = ((try? PromptAttentionParser.parse(prompt)) ?? []) + ((try? PromptAttentionParser.parse(negativePrompt)) ?? [])
        return fragments.contains { $0.weight != 1.0 && $0.text != "BREAK" }
    }

    /// `^(\d+)x(\d+)$` split into its two numbers.
    static func dimensions(_ value: String) -> (String, String)? {
        let parts = value.split(separator: "x", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(PromptText.isDecimalDigit) }) else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
