/// A1111's `extra_networks.parse_prompt`: removes every match of `<(\w+):([^>]+)>` from a prompt.
public enum ExtraNetworkParser {
    /// Removes and collects the tags of one prompt.
    public static func parse(_ prompt: String) -> ExtraNetworkParse {
        let s = Array(prompt.unicodeScalars)
        var kept = String.UnicodeScalarView()
        var tags: [ExtraNetworkTag] = []
        var i = 0
        for (range, tag) in tagRanges(in: s) {
            kept.append(contentsOf: s[i..<range.lowerBound])
            tags.append(tag)
            i = range.upperBound
        }
        kept.append(contentsOf: s[i...])
        return ExtraNetworkParse(prompt: String(kept), tags: tags)
    }

    /// Scalar ranges of the tags in `s`, left to right, non-overlapping (like `re.sub`).
    static func tagRanges(in s: [Unicode.Scalar]) -> [(Range<Int>, ExtraNetworkTag)] {
        var found: [(Range<Int>, ExtraNetworkTag)] = []
        var i = 0
        while i < s.count {
            if s[i] == "<", let (end, tag) = tag(in: s, at: i) {
                found.append((i..<end, tag))
                i = end
            } else {
                i += 1
            }
        }
        return found
    }

    /// A1111's `parse_prompts`: every prompt loses its tags, but only the first prompt of a
    /// batch decides which networks are active.
    public static func parse(batch prompts: [String]) -> (prompts: [String], tags: [ExtraNetworkTag]) {
        let parsed = prompts.map(parse)
        return (parsed.map(\.prompt), parsed.first?.tags ?? [])
    }

    /// `(\w+)` then `:` then `[^>]+` then `>` at `i` (which holds `<`).
    private static func tag(in s: [Unicode.Scalar], at i: Int) -> (Int, ExtraNetworkTag)? {
        var j = i + 1
        while j < s.count, PromptText.isWordCharacter(s[j]) { j += 1 }
        guard j > i + 1, j < s.count, s[j] == ":" else { return nil }
        let argumentsStart = j + 1
        var k = argumentsStart
        while k < s.count, s[k] != ">" { k += 1 }
        guard k < s.count, k > argumentsStart else { return nil }
        var kind = String.UnicodeScalarView(), arguments = String.UnicodeScalarView()
        kind.append(contentsOf: s[(i + 1)..<j])
        arguments.append(contentsOf: s[argumentsStart..<k])
        let items = String(arguments).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        return (k + 1, ExtraNetworkTag(kind: String(kind), items: items))
    }
}
