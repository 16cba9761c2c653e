import TesseraCheckpoint
import TesseraTensor

/// The CLIP text encoder (transformers `CLIPTextModel`), run per 77-token chunk as A1111 does.
public struct CLIPTextEncoder: Sendable {
    /// The architecture.
    public let configuration: CLIPTextConfiguration
    /// The weights; LoRA merging works on it.
    public let parameters: ParameterStore
    let tokenEmbedding: String, positionEmbedding: String
    let layers: [CLIPEncoderLayer]
    let finalNorm: LayerNormLayer

    /// Loads from transformers-named weights (`text_model.*`).
    public init(source: any WeightSource, configuration: CLIPTextConfiguration? = nil) throws {
        let config = try configuration ?? CLIPTextConfiguration.infer(from: source)
        try self.init(loader: ParameterLoader(source: source), configuration: config)
    }

    /// A text encoder of `configuration` with seeded random weights (benchmarks).
    public init(randomWeights configuration: CLIPTextConfiguration, seed: UInt64 = 4) throws {
        try self.init(loader: ParameterLoader(randomSeed: seed), configuration: configuration)
    }

    init(loader: ParameterLoader, configuration config: CLIPTextConfiguration) throws {
        configuration = config
        parameters = loader.store
        tokenEmbedding = try loader.load("text_model.embeddings.token_embedding.weight",
                                         shape: [config.vocabularySize, config.width], role: .embedding)
        positionEmbedding = try loader.load("text_model.embeddings.position_embedding.weight",
                                            shape: [config.positions, config.width], role: .embedding)
        layers = try (0..<config.layers).map { try CLIPEncoderLayer(loader, "text_model.encoder.layers.\($0)", config: config) }
        finalNorm = try LayerNormLayer(loader, "text_model.final_layer_norm", width: config.width, eps: config.eps)
    }

    /// Hidden states `[N, T, width]` for token ids `[N][T]`.
    ///
    /// `clipSkip` 1 gives `last_hidden_state`; `k > 1` gives `final_layer_norm(hidden_states[-k])`,
    /// the output of layer `layers − k` normalised (A1111 "Clip skip").
    public func callAsFunction(_ ids: [[Int]], clipSkip: Int = 1) throws -> Tensor {
        guard let t = ids.first?.count, t > 0, ids.allSatisfy({ $0.count == t }) else {
            throw ModelError("text encoder input", "token id rows must be non-empty and of equal length")
        }
        guard t <= configuration.positions else {
            throw ModelError("text encoder input", "\(t) tokens exceed the \(configuration.positions) positions")
        }
        guard clipSkip >= 1 && clipSkip <= configuration.layers else {
            throw ModelError("text encoder input", "clip skip \(clipSkip) outside 1...\(configuration.layers)")
        }
        let w = configuration.width
        let tokens = parameters[tokenEmbedding], positions = parameters[positionEmbedding]
        var data = [Float](repeating: 0, count: ids.count * t * w)
        for (n, row) in ids.enumerated() {
            for (i, id) in row.enumerated() {
                guard id >= 0 && id < configuration.vocabularySize else {
                    throw ModelError("text encoder input", "token id \(id) outside the vocabulary of \(configuration.vocabularySize)")
                }
                let dst = (n * t + i) * w
                for j in 0..<w { data[dst + j] = tokens.data[id * w + j] + positions.data[i * w + j] }
            }
        }
        var h = Tensor(shape: [ids.count, t, w], data: data)
        for layer in layers.prefix(configuration.layers - (clipSkip - 1)) { h = layer(h) }
        return finalNorm(h)
    }
}
