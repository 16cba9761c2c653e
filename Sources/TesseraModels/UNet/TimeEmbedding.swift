import TesseraTensor

/// Sinusoidal timestep features (flip_sin_to_cos, freq_shift 0 as SD1.5) through diffusers'
/// `TimestepEmbedding` MLP: `linear_2(silu(linear_1(features)))`.
struct TimeEmbedding: Sendable {
    let featureWidth: Int
    let linear1: LinearLayer, linear2: LinearLayer

    init(_ loader: ParameterLoader, featureWidth: Int, width: Int) throws {
        self.featureWidth = featureWidth
        linear1 = try LinearLayer(loader, "time_embedding.linear_1", in: featureWidth, out: width)
        linear2 = try LinearLayer(loader, "time_embedding.linear_2", in: width, out: width)
    }

    /// `silu(temb)` for every sample: every ResNet block applies SiLU before its projection, so
    /// it is done once here.
    func activated(_ timesteps: [Float]) -> Tensor {
        var h = linear1(timestepEmbedding(timesteps, dim: featureWidth))
        h.apply(.silu)
        var temb = linear2(h)
        temb.apply(.silu)
        return temb
    }
}
