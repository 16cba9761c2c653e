import TesseraModels
import TesseraPrompt
import TesseraTensor

/// A1111's text conditioning (`FrozenCLIPEmbedderWithCustomWords`): a prompt (extra-network
/// tags and scheduling already resolved) is emphasis-parsed, cut into 75-token chunks, each
/// chunk goes through CLIP (with clip skip) and "Original" emphasis, and the chunks are
/// concatenated along the token axis.
public struct TextConditioner: Sendable {
    public let encoder: CLIPTextEncoder
    public let chunker: PromptChunker
    /// A1111 "Clip skip" (`CLIP_stop_at_last_layers`), 1 = last layer.
    public let clipSkip: Int

    public init(encoder: CLIPTextEncoder, tokenizer: CLIPTokenizer, clipSkip: Int = 1) throws {
        guard clipSkip >= 1, clipSkip <= encoder.configuration.layers else {
            throw PipelineError("clip_skip", "must be in 1...\(encoder.configuration.layers), got \(clipSkip)")
        }
        self.encoder = encoder
        chunker = PromptChunker(tokenizer: tokenizer)
        self.clipSkip = clipSkip
    }

    /// Chunks of `prompt`.
    public func chunks(_ prompt: String) throws -> ChunkedPrompt { try chunker.chunk(prompt) }

    /// Encodes prompts so that all have the same number of chunks: shorter ones are padded with
    /// empty chunks as A1111 pads cond and uncond to a common length. Returns one
    /// `[1, 77·k, width]` tensor per prompt, in order.
    public func encode(_ prompts: [String]) throws -> [Tensor] {
        let chunked = try prompts.map(chunks)
        let padded = ChunkedPrompt.padToCommonLength(chunked, startID: chunker.tokenizer.startID, endID: chunker.tokenizer.endID)
        return try padded.map(encode(chunks:))
    }

    /// Encodes already padded chunks, each chunk on its own (emphasis means are per chunk).
    public func encode(chunks: [PromptChunk]) throws -> Tensor {
        let width = encoder.configuration.width
        var data: [Float] = []
        data.reserveCapacity(chunks.count * PromptChunk.length * width)
        for chunk in chunks {
            let z = try encoder([chunk.tokens], clipSkip: clipSkip)
            let weights = Tensor(shape: [1, PromptChunk.length], data: chunk.floatMultipliers)
            data += try applyEmphasis(z, multipliers: weights).data
        }
        return Tensor(shape: [1, chunks.count * PromptChunk.length, width], data: data)
    }
}
