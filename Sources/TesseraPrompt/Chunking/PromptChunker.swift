/// A1111's `tokenize_line` (modules/sd_hijack_clip.py): turns one prompt into 77-token chunks
/// with per-token weights.
///
/// Rules, in A1111's order for each token: a comma remembers its position; a full chunk whose
/// last comma is at most `commaPaddingBacktrack` tokens back moves the tokens after that comma
/// into the next chunk; a full chunk (75) is closed; `BREAK` closes the current chunk at once.
/// Closing pads to 75 with EOS, then adds BOS and EOS. Textual-inversion embeddings are not
/// supported (Tessera does not load them).
public struct PromptChunker: Sendable {
    public let tokenizer: CLIPTokenizer
    public var emphasis: EmphasisMode
    /// A1111's "Prompt word wrap length limit" (`comma_padding_backtrack`), 0…74, default 20.
    public var commaPaddingBacktrack: Int

    public init(tokenizer: CLIPTokenizer, emphasis: EmphasisMode = .original, commaPaddingBacktrack: Int = 20) {
        self.tokenizer = tokenizer
        self.emphasis = emphasis
        self.commaPaddingBacktrack = commaPaddingBacktrack
    }

    /// Chunks `prompt` (extra-network tags and scheduling must already be resolved).
    /// Throws only for a weight A1111 cannot read either, e.g. `(a:1.2.3)`.
    public func chunk(_ prompt: String) throws -> ChunkedPrompt {
        let fragments = emphasis.parsesAttention
            ? try PromptAttentionParser.parse(prompt)
            : [WeightedFragment(prompt, 1.0)]
        return chunk(fragments: fragments)
    }

    /// Chunks already parsed fragments.
    public func chunk(fragments: [WeightedFragment]) -> ChunkedPrompt {
        var builder = ChunkBuilder(startID: tokenizer.startID, endID: tokenizer.endID)
        for fragment in fragments {
            if fragment.isBreak {
                builder.close(isLast: false)
                continue
            }
            for token in tokenizer.encode(fragment.text) {
                if token == tokenizer.commaID {
                    builder.lastComma = builder.tokens.count
                } else if commaPaddingBacktrack != 0, builder.tokens.count == PromptChunk.bodyLength,
                          builder.lastComma != -1,
                          builder.tokens.count - builder.lastComma <= commaPaddingBacktrack {
                    builder.moveTailAfterLastCommaToNextChunk()
                }
                if builder.tokens.count == PromptChunk.bodyLength { builder.close(isLast: false) }
                builder.tokens.append(token)
                builder.multipliers.append(fragment.weight)
            }
        }
        if !builder.tokens.isEmpty || builder.chunks.isEmpty { builder.close(isLast: true) }
        return ChunkedPrompt(chunks: builder.chunks, tokenCount: builder.tokenCount)
    }
}

/// The mutable state of one `tokenize_line` run.
private struct ChunkBuilder {
    let startID: Int
    let endID: Int
    var chunks: [PromptChunk] = []
    var tokens: [Int] = []
    var multipliers: [Double] = []
    var tokenCount = 0
    var lastComma = -1

    init(startID: Int, endID: Int) {
        self.startID = startID
        self.endID = endID
    }

    mutating func close(isLast: Bool) {
        tokenCount += isLast ? tokens.count : PromptChunk.bodyLength
        let padding = PromptChunk.bodyLength - tokens.count
        if padding > 0 {
            tokens += Array(repeating: endID, count: padding)
            multipliers += Array(repeating: 1.0, count: padding)
        }
        chunks.append(PromptChunk(tokens: [startID] + tokens + [endID], multipliers: [1.0] + multipliers + [1.0]))
        tokens = []
        multipliers = []
        lastComma = -1
    }

    mutating func moveTailAfterLastCommaToNextChunk() {
        let breakLocation = lastComma + 1
        let tailTokens = Array(tokens[breakLocation...])
        let tailMultipliers = Array(multipliers[breakLocation...])
        tokens.removeSubrange(breakLocation...)
        multipliers.removeSubrange(breakLocation...)
        close(isLast: false)
        tokens = tailTokens
        multipliers = tailMultipliers
    }
}
