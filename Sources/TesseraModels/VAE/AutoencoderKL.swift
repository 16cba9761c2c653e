import TesseraCheckpoint
import TesseraTensor

/// The latent-diffusion VAE (diffusers `AutoencoderKL`). Works on raw module I/O: the pipeline
/// multiplies encoded means by the scaling factor (0.18215) and divides latents by it before decoding.
public struct AutoencoderKL: Sendable {
    /// The architecture.
    public let configuration: VAEConfiguration
    /// The weights.
    public let parameters: ParameterStore
    let encoder: VAEEncoder
    let decoder: VAEDecoder

    /// The latent distribution of an image: `moments` is diffusers' raw `parameters`
    /// (mean and log-variance concatenated); `logvar` is clamped to [-30, 20] as diffusers does.
    public struct LatentDistribution: Sendable {
        /// Raw encoder output `[N, 2·latent, h, w]`.
        public var moments: Tensor
        /// First half of the moments.
        public var mean: Tensor
        /// Second half, clamped to [-30, 20].
        public var logvar: Tensor
    }

    /// Loads from diffusers-named weights (`encoder.*`, `decoder.*`, `quant_conv`, `post_quant_conv`).
    public init(source: any WeightSource, configuration: VAEConfiguration? = nil) throws {
        let config = try configuration ?? VAEConfiguration.infer(from: source)
        try self.init(loader: ParameterLoader(source: source), configuration: config)
    }

    /// A VAE of `configuration` with seeded random weights (benchmarks).
    public init(randomWeights configuration: VAEConfiguration, seed: UInt64 = 3) throws {
        try self.init(loader: ParameterLoader(randomSeed: seed), configuration: configuration)
    }

    init(loader: ParameterLoader, configuration: VAEConfiguration) throws {
        self.configuration = configuration
        parameters = loader.store
        encoder = try VAEEncoder(loader, config: configuration)
        decoder = try VAEDecoder(loader, config: configuration)
    }

    /// Spatial reduction factor (8 for SD).
    public var downscale: Int { 1 << (configuration.blockOutChannels.count - 1) }

    /// Encodes `image` `[N, 3, H, W]` (values in [-1, 1], sides multiples of `downscale`).
    public func encode(_ image: Tensor) throws -> LatentDistribution {
        guard image.rank == 4, image.shape[1] == configuration.imageChannels else {
            throw ModelError("VAE input", "image has shape \(image.shape), expected [N, \(configuration.imageChannels), H, W]")
        }
        guard image.shape[2] % downscale == 0, image.shape[3] % downscale == 0 else {
            throw ModelError("VAE input", "image \(image.shape[3])x\(image.shape[2]) is not a multiple of \(downscale) on each side")
        }
        return Self.distribution(moments: encoder(image))
    }

    /// Splits raw encoder moments into mean and clamped log-variance.
    static func distribution(moments: Tensor) -> LatentDistribution {
        let (n, c2, h, w) = (moments.shape[0], moments.shape[1], moments.shape[2], moments.shape[3])
        let l = c2 / 2, plane = l * h * w
        var mean = [Float](), logvar = [Float]()
        mean.reserveCapacity(n * plane); logvar.reserveCapacity(n * plane)
        for b in 0..<n {
            mean += moments.data[(b * 2 * plane)..<(b * 2 * plane + plane)]
            logvar += moments.data[(b * 2 * plane + plane)..<((b + 1) * 2 * plane)].map { min(max($0, -30), 20) }
        }
        return LatentDistribution(moments: moments, mean: Tensor(shape: [n, l, h, w], data: mean),
                                  logvar: Tensor(shape: [n, l, h, w], data: logvar))
    }

    /// Decodes `latent` `[N, latent, h, w]` to an image `[N, 3, 8h, 8w]` (values around [-1, 1], not clamped).
    public func decode(_ latent: Tensor) throws -> Tensor {
        guard latent.rank == 4, latent.shape[1] == configuration.latentChannels else {
            throw ModelError("VAE input", "latent has shape \(latent.shape), expected [N, \(configuration.latentChannels), h, w]")
        }
        return decoder(latent)
    }
}
