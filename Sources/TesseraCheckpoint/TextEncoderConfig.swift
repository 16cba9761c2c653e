/// The structure of a CLIP text encoder (transformers `CLIPTextModel`) inferred from canonical
/// shapes. Head count is not stored in the weights (SD1.x's ViT-L/14 text tower uses 12).
public struct TextEncoderConfig: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var intermediateSize: Int
    public var maxPositions: Int

    public init(vocabularySize: Int, hiddenSize: Int, layers: Int, intermediateSize: Int, maxPositions: Int) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
    }

    public static func infer(shapes: [String: [Int]], path: String) throws -> TextEncoderConfig {
        func need(_ name: String, rank: Int) throws -> [Int] {
            guard let s = shapes[name] else { throw CheckpointError(path: path, problem: "missing tensor '\(name)'") }
            guard s.count == rank else { throw CheckpointError(path: path, problem: "shape mismatch: '\(name)' is \(s), expected a \(rank)-D tensor") }
            return s
        }
        let token = try need("text_model.embeddings.token_embedding.weight", rank: 2)
        let position = try need("text_model.embeddings.position_embedding.weight", rank: 2)
        let fc1 = try need("text_model.encoder.layers.0.mlp.fc1.weight", rank: 2)
        var layers = 0
        while shapes["text_model.encoder.layers.\(layers).layer_norm1.weight"] != nil { layers += 1 }
        return TextEncoderConfig(vocabularySize: token[0], hiddenSize: token[1], layers: layers, intermediateSize: fc1[0], maxPositions: position[0])
    }

    public func expectedShapes() -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let d = hiddenSize
        s["text_model.embeddings.token_embedding.weight"] = [vocabularySize, d]
        s["text_model.embeddings.position_embedding.weight"] = [maxPositions, d]
        for l in 0..<layers {
            let p = "text_model.encoder.layers.\(l)"
            for proj in ["q_proj", "k_proj", "v_proj", "out_proj"] { linear(&s, "\(p).self_attn.\(proj)", out: d, in: d) }
            norm(&s, "\(p).layer_norm1", d)
            norm(&s, "\(p).layer_norm2", d)
            linear(&s, "\(p).mlp.fc1", out: intermediateSize, in: d)
            linear(&s, "\(p).mlp.fc2", out: d, in: intermediateSize)
        }
        norm(&s, "text_model.final_layer_norm", d)
        return s
    }
}
