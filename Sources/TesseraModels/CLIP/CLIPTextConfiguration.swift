import TesseraCheckpoint
import TesseraTensor

/// Architecture of a transformers `CLIPTextModel` (SD1.5: 768 wide, 12 layers, 12 heads, quick-GELU).
public struct CLIPTextConfiguration: Sendable, Equatable {
    /// Token vocabulary (49408).
    public var vocabularySize: Int
    /// Hidden width (768).
    public var width: Int
    /// Transformer layers (12).
    public var layers: Int
    /// Attention heads (12).
    public var heads: Int
    /// MLP hidden width (3072).
    public var intermediateWidth: Int
    /// Positions (77 tokens).
    public var positions: Int
    /// MLP activation (quick-GELU for OpenAI CLIP).
    public var activation: Activation
    /// LayerNorm epsilon.
    public var eps: Float = 1e-5

    public init(vocabularySize: Int = 49408, width: Int, layers: Int, heads: Int, intermediateWidth: Int,
                positions: Int = 77, activation: Activation = .quickGelu) {
        self.vocabularySize = vocabularySize
        self.width = width
        self.layers = layers
        self.heads = heads
        self.intermediateWidth = intermediateWidth
        self.positions = positions
        self.activation = activation
    }

    /// The SD1.5 text encoder (OpenAI CLIP ViT-L/14 text tower).
    public static let sd15 = CLIPTextConfiguration(width: 768, layers: 12, heads: 12, intermediateWidth: 3072)

    /// Infers sizes from `text_model.*` shapes; `config` supplies `num_attention_heads` and
    /// `hidden_act` (without it: 64-wide heads, quick-GELU).
    public static func infer(from source: any WeightSource, config: ConfigFile? = nil) throws -> CLIPTextConfiguration {
        let token = try requiredShape(of: "text_model.embeddings.token_embedding.weight", in: source, rank: 2)
        let position = try requiredShape(of: "text_model.embeddings.position_embedding.weight", in: source, rank: 2)
        let fc1 = try requiredShape(of: "text_model.encoder.layers.0.mlp.fc1.weight", in: source, rank: 2)
        var layers = 0
        while source.contains("text_model.encoder.layers.\(layers).mlp.fc1.weight") { layers += 1 }
        let width = token[1]
        var heads = max(1, width / 64)
        var activation = Activation.quickGelu
        if let config {
            if let h = try config.int("num_attention_heads") { heads = h }
            if let act = try config.string("hidden_act") {
                switch act {
                case "quick_gelu": activation = .quickGelu
                case "gelu": activation = .gelu
                default: throw ModelError(config.path, "hidden_act '\(act)' is not supported (quick_gelu or gelu)")
                }
            }
        }
        guard width % heads == 0 else {
            throw ModelError(config?.path ?? source.path, "width \(width) does not split into \(heads) attention heads")
        }
        return CLIPTextConfiguration(vocabularySize: token[0], width: width, layers: layers, heads: heads,
                                     intermediateWidth: fc1[0], positions: position[0], activation: activation)
    }
}
