/// The parse of a prompt under A1111's scheduling grammar (modules/prompt_parser.py):
///
///     start: (prompt | /[][():]/+)*
///     prompt: (emphasized | scheduled | alternate | plain | WHITESPACE)*
///     emphasized: "(" prompt ")" | "(" prompt ":" prompt ")" | "[" prompt "]"
///     scheduled: "[" [prompt ":"] prompt ":" [WHITESPACE] NUMBER [WHITESPACE] "]"
///     alternate: "[" prompt ("|" [prompt])+ "]"
///     plain: /([^\\\[\]():|]|\\.)+/
///
/// Only `scheduled` and `alternate` change the text; everything else is kept verbatim.
indirect enum ScheduleSegment: Equatable, Sendable {
    case literal(String)
    /// `[before:after:when]`; `before` is nil for `[after:when]`.
    case scheduled(before: [ScheduleSegment]?, after: [ScheduleSegment], when: String)
    /// `[a|b|…]`.
    case alternate([[ScheduleSegment]])
}

/// A hand-written parser for the grammar above.
///
/// A1111 runs it through lark's Earley parser, which resolves ambiguous parses in an order that
/// depends on Python's per-process hash seed: for prompts with stray brackets right next to a
/// schedule (e.g. `[a:3]]`) A1111 itself returns different schedules from run to run. This
/// parser always prefers the structured reading (the schedule/alternation), which is one of
/// A1111's possible answers, and agrees with A1111 wherever A1111 is deterministic.
struct ScheduleSyntaxParser {
    private let s: [Unicode.Scalar]
    private var promptMemo: [Int: [(end: Int, tree: [ScheduleSegment])]] = [:]
    private var structureMemo: [Int: [(end: Int, tree: [ScheduleSegment])]] = [:]

    /// `plainRunEnd[k]`: where a greedy `plain` starting at `k` ends (`k` when none starts there).
    private let plainRunEnd: [Int]

    init(_ text: String) {
        s = Array(text.unicodeScalars)
        var ends = [Int](repeating: 0, count: s.count + 2)
        ends[s.count] = s.count
        ends[s.count + 1] = s.count + 1
        for k in stride(from: s.count - 1, through: 0, by: -1) {
            let c = s[k]
            if "[]():|".unicodeScalars.contains(c) {
                ends[k] = k
            } else if c == "\\" {
                ends[k] = k + 1 < s.count && s[k + 1] != "\n" ? ends[k + 2] : k
            } else {
                ends[k] = ends[k + 1]
            }
        }
        plainRunEnd = ends
    }

    /// The segments of the whole text, or nil where lark would fail (a `|` outside any
    /// alternation, a trailing `\`, …); A1111 then uses the prompt literally.
    mutating func parse() -> [ScheduleSegment]? {
        // The parser recurses once per bracket level; A1111's tree transformer would hit Python's
        // recursion limit long before a sane prompt gets this deep.
        guard bracketDepth() <= Self.maximumBracketDepth else { return nil }
        let n = s.count
        // canFinish[k]: the rest from k parses at top level. Filled right to left, no recursion.
        var canFinish = [Bool](repeating: false, count: n + 1)
        canFinish[n] = true
        var choice = [TopLevelItem?](repeating: nil, count: n + 1)
        if n > 0 {
            for k in stride(from: n - 1, through: 0, by: -1) {
                for item in topLevelItems(at: k) where canFinish[item.end] {
                    canFinish[k] = true
                    choice[k] = item
                    break
                }
            }
        }
        guard canFinish[0] else { return nil }
        var segments: [ScheduleSegment] = []
        var k = 0
        while k < n, let item = choice[k] {
            switch item {
            case let .structure(_, tree): segments.append(contentsOf: tree)
            case let .text(end): segments.append(.literal(text(k..<end)))
            }
            k = item.end
        }
        return Self.mergingLiterals(segments)
    }

    /// A top-level element; plain text and stray characters keep only their end, so scanning
    /// every start position does not build a string for each.
    private enum TopLevelItem {
        case structure(end: Int, tree: [ScheduleSegment])
        case text(end: Int)

        var end: Int {
            switch self {
            case let .structure(end, _), let .text(end): return end
            }
        }
    }

    /// Deeper bracket nesting makes the prompt literal instead of risking a thread's stack.
    static let maximumBracketDepth = 100

    private func bracketDepth() -> Int {
        var depth = 0, deepest = 0, i = 0
        while i < s.count {
            switch s[i] {
            case "\\": i += 1
            case "(", "[": depth += 1; deepest = max(deepest, depth)
            case ")", "]": depth = max(0, depth - 1)
            default: break
            }
            i += 1
        }
        return deepest
    }

    // MARK: - top level

    /// Preference order: the longest structure, then plain text, then one stray bracket/colon.
    private mutating func topLevelItems(at k: Int) -> [TopLevelItem] {
        var items = structures(at: k).sorted { $0.end > $1.end }.map { TopLevelItem.structure(end: $0.end, tree: $0.tree) }
        if let plain = plainEnd(from: k) { items.append(.text(end: plain)) }
        if "[]():".unicodeScalars.contains(s[k]) { items.append(.text(end: k + 1)) }
        return items
    }

    // MARK: - prompt

    /// Every end position a `prompt` starting at `i` can reach, each with one parse.
    private mutating func promptEnds(from i: Int) -> [(end: Int, tree: [ScheduleSegment])] {
        if let memo = promptMemo[i] { return memo }
        var trees: [Int: [ScheduleSegment]] = [i: []]
        var order: [Int] = [i]
        // Items always move forward, so visiting reachable positions in increasing order sees
        // each position's parse before extending it.
        var pending: Set<Int> = [i]
        while !pending.isEmpty {
            let k = pending.min()!
            pending.remove(k)
            guard k < s.count, let base = trees[k] else { continue }
            var items = structures(at: k)
            if let plain = plainEnd(from: k) { items.append((plain, [.literal(text(k..<plain))])) }
            for item in items where trees[item.end] == nil {
                trees[item.end] = base + item.tree
                order.append(item.end)
                pending.insert(item.end)
            }
        }
        let result = order.map { ($0, trees[$0]!) }
        promptMemo[i] = result
        return result
    }

    /// `plain` matched greedily at `k`, or nil when it matches nothing.
    private func plainEnd(from k: Int) -> Int? {
        plainRunEnd[k] > k ? plainRunEnd[k] : nil
    }

    // MARK: - bracketed structures

    private mutating func structures(at k: Int) -> [(end: Int, tree: [ScheduleSegment])] {
        guard k < s.count, s[k] == "(" || s[k] == "[" else { return [] }
        if let memo = structureMemo[k] { return memo }
        var found: [(end: Int, tree: [ScheduleSegment])] = []
        let inner = promptEnds(from: k + 1)
        if s[k] == "(" {
            for (e, first) in inner where e < s.count {
                if s[e] == ")" {
                    found.append((e + 1, [.literal("(")] + first + [.literal(")")]))
                } else if s[e] == ":" {
                    for (e2, second) in promptEnds(from: e + 1) where e2 < s.count && s[e2] == ")" {
                        found.append((e2 + 1, [.literal("(")] + first + [.literal(":")] + second + [.literal(")")]))
                    }
                }
            }
        } else {
            for (e, first) in inner where e < s.count {
                switch s[e] {
                case "]":
                    found.append((e + 1, [.literal("[")] + first + [.literal("]")]))
                case "|":
                    found.append(contentsOf: alternateEnds(from: e + 1, options: [first]))
                case ":":
                    if let end = scheduleTail(from: e + 1) {
                        found.append((end.end, [.scheduled(before: nil, after: first, when: end.number)]))
                    }
                    for (e2, after) in promptEnds(from: e + 1) where e2 < s.count && s[e2] == ":" {
                        if let end = scheduleTail(from: e2 + 1) {
                            found.append((end.end, [.scheduled(before: first, after: after, when: end.number)]))
                        }
                    }
                default:
                    break
                }
            }
        }
        structureMemo[k] = found
        return found
    }

    private mutating func alternateEnds(from i: Int, options: [[ScheduleSegment]]) -> [(end: Int, tree: [ScheduleSegment])] {
        var found: [(end: Int, tree: [ScheduleSegment])] = []
        for (e, option) in promptEnds(from: i) where e < s.count {
            if s[e] == "]" {
                found.append((e + 1, [.alternate(options + [option])]))
            } else if s[e] == "|" {
                found.append(contentsOf: alternateEnds(from: e + 1, options: options + [option]))
            }
        }
        return found
    }

    /// `[WHITESPACE] NUMBER [WHITESPACE] "]"` starting at `i`.
    private func scheduleTail(from i: Int) -> (end: Int, number: String)? {
        var j = i
        while j < s.count, PromptText.isWhitespace(s[j]) { j += 1 }
        guard let numberEnd = signedNumberEnd(from: j) else { return nil }
        let number = text(j..<numberEnd)
        j = numberEnd
        while j < s.count, PromptText.isWhitespace(s[j]) { j += 1 }
        guard j < s.count, s[j] == "]" else { return nil }
        return (j + 1, number)
    }

    /// lark's `SIGNED_NUMBER`: `[+-]? (FLOAT | INT)` with ASCII digits and an optional exponent.
    private func signedNumberEnd(from i: Int) -> Int? {
        func digits(_ from: Int) -> Int {
            var j = from
            while j < s.count, s[j].isASCII, s[j].properties.numericType == .decimal { j += 1 }
            return j
        }
        var j = i
        if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
        let intEnd = digits(j)
        var end: Int
        if intEnd > j {
            end = intEnd
            if end < s.count, s[end] == "." { end = digits(end + 1) }
        } else {
            guard j < s.count, s[j] == ".", digits(j + 1) > j + 1 else { return nil }
            end = digits(j + 1)
        }
        if end < s.count, s[end] == "e" || s[end] == "E" {
            var k = end + 1
            if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
            let expEnd = digits(k)
            if expEnd > k { end = expEnd }
        }
        return end
    }

    private func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[range])
        return String(view)
    }

    static func mergingLiterals(_ segments: [ScheduleSegment]) -> [ScheduleSegment] {
        var out: [ScheduleSegment] = []
        for segment in segments {
            if case let .literal(t) = segment, case let .literal(previous)? = out.last {
                out[out.count - 1] = .literal(previous + t)
            } else {
                out.append(segment)
            }
        }
        return out
    }
}
