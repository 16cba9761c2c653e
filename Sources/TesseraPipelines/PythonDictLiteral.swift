import Foundation

/// Reads a flat Python dict literal as `str()` writes it into A1111 infotext (`{'a': 1, 'b': 'x, y'}`): string keys,
/// values that are quoted strings (returned unquoted) or bare literals (numbers, True/False/None, returned as
/// written). Nested containers are not supported; nil when the text is not such a dict.
enum PythonDictLiteral {
    static func entries(_ text: String) -> [(key: String, value: String)]? {
        var chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard chars.first == "{", chars.last == "}" else { return nil }
        chars = Array(chars[1..<(chars.count - 1)])
        var index = 0
        func skipSpaces() { while index < chars.count, chars[index] == " " { index += 1 } }
        func quoted() -> String? {
            guard index < chars.count, chars[index] == "'" || chars[index] == "\"" else { return nil }
            let quote = chars[index]
            index += 1
            var out = ""
            while index < chars.count, chars[index] != quote {
                if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                out.append(chars[index])
                index += 1
            }
            guard index < chars.count else { return nil }
            index += 1
            return out
        }
        var result: [(String, String)] = []
        skipSpaces()
        while index < chars.count {
            guard let key = quoted() else { return nil }
            skipSpaces()
            guard index < chars.count, chars[index] == ":" else { return nil }
            index += 1
            skipSpaces()
            let value: String
            if let string = quoted() {
                value = string
            } else {
                var bare = ""
                while index < chars.count, chars[index] != "," { bare.append(chars[index]); index += 1 }
                value = bare.trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty, !"[{(".contains(value.first!) else { return nil }
            }
            result.append((key, value))
            skipSpaces()
            if index < chars.count {
                guard chars[index] == "," else { return nil }
                index += 1
                skipSpaces()
            }
        }
        return result
    }
}
