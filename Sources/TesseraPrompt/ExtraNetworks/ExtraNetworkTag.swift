/// One `<kind:arg1:arg2:…>` tag removed from a prompt (A1111 `ExtraNetworkParams`).
public struct ExtraNetworkTag: Sendable, Equatable {
    /// The word before the first colon, e.g. `lora`, `lyco`, `hypernet`.
    public var kind: String
    /// Everything after the kind, split on `:`.
    public var items: [String]
    /// Items without `=` (or with more than one), in order.
    public var positional: [String]
    /// Items of the form `key=value`; a repeated key keeps its last value.
    public var named: [String: String]

    public init(kind: String, items: [String]) {
        self.kind = kind
        self.items = items
        var positional: [String] = []
        var named: [String: String] = [:]
        for item in items {
            // Python `item.split('=', 2)`: exactly two parts makes a named argument.
            let parts = item.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 2 {
                named[String(parts[0])] = String(parts[1])
            } else {
                positional.append(item)
            }
        }
        self.positional = positional
        self.named = named
    }

    /// The tag as written in a prompt.
    public var text: String { "<\(kind):\(items.joined(separator: ":"))>" }
}

/// A prompt with its extra-network tags taken out.
public struct ExtraNetworkParse: Sendable, Equatable {
    /// The prompt with every tag replaced by nothing (surrounding spaces stay, as in A1111).
    public var prompt: String
    /// The tags in prompt order.
    public var tags: [ExtraNetworkTag]
}
