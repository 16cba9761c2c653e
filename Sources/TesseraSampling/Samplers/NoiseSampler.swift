import TesseraTensor

/// Where ancestral and SDE samplers get their fresh noise: k-diffusion's
/// `noise_sampler(sigma, sigma_next)`.
public protocol NoiseSampler {
    /// Standard-normal noise shaped like `shape` for the step from `sigma` to `sigmaNext`.
    mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor
}

/// For deterministic samplers: any request is a programming error reported as a thrown error.
public struct NoNoise: NoiseSampler {
    public init() {}
    public mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
        throw SamplingError.mismatch("this sampler was given no noise source but asked for noise at sigma \(sigma)")
    }
}

/// A1111's default for ancestral samplers (Euler a, DDIM with eta > 0): each request is the
/// next draw of every image's own generator (`ImageRNG.next()`), whatever the sigmas.
public struct ImageStreamNoise: NoiseSampler {
    private var streams: [NoiseGenerator]

    /// One stream per batch row, as `NoiseSource.stepNoiseStreams` gives them.
    public init(streams: [NoiseGenerator]) { self.streams = streams }

    public mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
        guard let batch = shape.first, batch == streams.count else {
            throw SamplingError.mismatch("noise requested for shape \(shape) but there are \(streams.count) image streams")
        }
        let perImage = Array(shape.dropFirst())
        var data = [Float]()
        data.reserveCapacity(shape.reduce(1, *))
        for b in 0..<batch { data += streams[b].normal(shape: perImage).data }
        return Tensor(shape: shape, data: data)
    }
}
