/// One 77-token window of a prompt: `BOS + 75 tokens + EOS`, with one weight per token.
public struct PromptChunk: Sendable, Equatable {
    /// A1111's chunk body length (77 minus BOS and EOS).
    public static let bodyLength = 75
    /// Tokens per encoded chunk.
    public static let length = bodyLength + 2

    /// Exactly [`length`] token ids.
    public var tokens: [Int]
    /// Exactly [`length`] weights (1.0 for BOS, EOS and padding).
    public var multipliers: [Double]

    public init(tokens: [Int], multipliers: [Double]) {
        self.tokens = tokens
        self.multipliers = multipliers
    }

    /// `BOS` followed by 76 `EOS`, all weight 1.0: what A1111 pads a shorter prompt of a batch with.
    public static func empty(startID: Int, endID: Int) -> PromptChunk {
        PromptChunk(tokens: [startID] + Array(repeating: endID, count: length - 1),
                    multipliers: Array(repeating: 1.0, count: length))
    }

    /// The weights as `Float`, as torch holds them when it applies emphasis.
    public var floatMultipliers: [Float] { multipliers.map { Float($0) } }
}

/// A prompt cut into chunks, with A1111's token count (what the UI shows as "n/75").
public struct ChunkedPrompt: Sendable, Equatable {
    /// At least one chunk.
    public var chunks: [PromptChunk]
    /// 75 per chunk closed before the last one, plus the real tokens of the last.
    public var tokenCount: Int

    public init(chunks: [PromptChunk], tokenCount: Int) {
        self.chunks = chunks
        self.tokenCount = tokenCount
    }

    /// Pads every prompt of a batch with empty chunks to the longest one's chunk count, as
    /// A1111 does before encoding chunk by chunk.
    public static func padToCommonLength(_ prompts: [ChunkedPrompt], startID: Int, endID: Int) -> [[PromptChunk]] {
        let count = prompts.map(\.chunks.count).max() ?? 0
        return prompts.map { prompt in
            prompt.chunks + Array(repeating: PromptChunk.empty(startID: startID, endID: endID),
                                  count: count - prompt.chunks.count)
        }
    }
}
