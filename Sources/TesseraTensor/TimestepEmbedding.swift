import Foundation

/// Sinusoidal timestep features (diffusers `get_timestep_embedding`): for each timestep `t`,
/// `[sin(t·fᵢ), cos(t·fᵢ)]` with `fᵢ = exp(−ln(10000)·i / (half − freqShift))`, `i < half`,
/// swapped to `[cos, sin]` when `flipSinToCos` (SD1.5: flip, shift 0). Result `[N, dim]`.
///
/// Timesteps are Float (k-diffusion passes fractional ones such as 981.37).
public func timestepEmbedding(_ timesteps: [Float], dim: Int, flipSinToCos: Bool = true, freqShift: Float = 0) -> Tensor {
    precondition(dim % 2 == 0, "timestep embedding dimension \(dim) must be even")
    let half = dim / 2
    // Frequencies computed as torch does: float32 exp of a float32 exponent.
    let frequencies: [Float] = (0..<half).map { i in
        Foundation.exp(-Float(Foundation.log(10000.0)) * Float(i) / (Float(half) - freqShift))
    }
    var data = [Float](repeating: 0, count: timesteps.count * dim)
    for (n, t) in timesteps.enumerated() {
        for i in 0..<half {
            let arg = t * frequencies[i]
            let s = Foundation.sin(arg), c = Foundation.cos(arg)
            data[n * dim + i] = flipSinToCos ? c : s
            data[n * dim + half + i] = flipSinToCos ? s : c
        }
    }
    return Tensor(shape: [timesteps.count, dim], data: data)
}
