import Foundation
import TesseraTensor

/// The noise A1111 gives the SDE samplers (DPM++ SDE, DPM++ 2M SDE (Heun), DPM++ 3M SDE):
/// k-diffusion's `BrownianTreeNoiseSampler` over [σ_min, σ_max] with one torchsde
/// `BrownianTree` per batch row, seeded with that image's seed (`p.all_seeds` of the batch), and
/// the identity sigma transform.
///
/// A query σ → σ' returns `sign · W(min, max) / √|σ' − σ|` per row, where `W` is the tree's
/// increment between the sorted times, so noise for a step is independent of the batch size and
/// of earlier queries. Bit-compatible with torchsde on CPU (`normals: .torchCPU`); with
/// `.cudaPhilox` the node normals follow A1111's imitation of CUDA's generator instead.
public struct BrownianTreeNoise: NoiseSampler {
    /// One seed per batch row (the image seeds); torchsde takes them as numpy entropy, so they
    /// must be non-negative.
    public let seeds: [Int64]
    /// Shape of one batch row, `[C, H, W]`.
    public let imageShape: [Int]
    /// Lower end of the trees (A1111: the smallest positive sigma of the full schedule).
    public let sigmaMin: Float
    /// Upper end of the trees (A1111: the largest sigma of the full schedule).
    public let sigmaMax: Float
    /// Where the trees' normals come from.
    public let normals: BrownianNormalSource
    private var trees: [TorchSDEBrownianTree]

    /// One tree per seed over [sigmaMin, sigmaMax] (k-diffusion `BatchedBrownianTree`).
    public init(seeds: [Int64], imageShape: [Int], sigmaMin: Float, sigmaMax: Float,
                normals: BrownianNormalSource = .torchCPU) throws {
        guard !seeds.isEmpty else { throw SamplingError.invalidParameter(name: "Brownian noise seeds", problem: "empty batch") }
        if let negative = seeds.first(where: { $0 < 0 }) {
            throw SamplingError.invalidParameter(name: "seed", problem: "Brownian-tree noise (SDE samplers) needs a non-negative seed, got \(negative)")
        }
        guard !imageShape.isEmpty, imageShape.allSatisfy({ $0 > 0 }) else {
            throw SamplingError.invalidParameter(name: "Brownian noise shape", problem: "need positive sizes, got \(imageShape)")
        }
        guard sigmaMin.isFinite, sigmaMax.isFinite, sigmaMin > 0, sigmaMin <= sigmaMax else {
            throw SamplingError.invalidParameter(name: "Brownian tree range", problem: "need 0 < sigma_min <= sigma_max, got \(sigmaMin)...\(sigmaMax)")
        }
        self.seeds = seeds
        self.imageShape = imageShape
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
        self.normals = normals
        let count = imageShape.reduce(1, *)
        trees = try seeds.map {
            try TorchSDEBrownianTree(t0: Double(sigmaMin), t1: Double(sigmaMax), count: count,
                                     entropy: UInt64($0), normals: normals)
        }
    }

    /// Trees over a schedule's range as A1111's `create_noise_sampler` takes it:
    /// `sigmas[sigmas > 0].min()` and `sigmas.max()`. For img2img A1111 passes the FULL schedule
    /// (before slicing), so pass that here too.
    public init(seeds: [Int64], imageShape: [Int], schedule sigmas: [Float],
                normals: BrownianNormalSource = .torchCPU) throws {
        guard let smallest = sigmas.filter({ $0 > 0 }).min(), let largest = sigmas.max() else {
            throw SamplingError.invalidParameter(name: "sigmas", problem: "Brownian noise needs a schedule with a positive sigma")
        }
        try self.init(seeds: seeds, imageShape: imageShape, sigmaMin: smallest, sigmaMax: largest, normals: normals)
    }

    public mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
        guard shape == [seeds.count] + imageShape else {
            throw SamplingError.mismatch("Brownian noise requested for shape \(shape) but the trees are for \([seeds.count] + imageShape)")
        }
        // BatchedBrownianTree sorts the query times and flips the sign back.
        let ascending = sigma <= sigmaNext
        let (lo, hi) = ascending ? (sigma, sigmaNext) : (sigmaNext, sigma)
        let sign: Float = ascending ? 1 : -1
        let scale = abs(sigmaNext - sigma).squareRoot()
        var data = [Float]()
        data.reserveCapacity(shape.reduce(1, *))
        for b in trees.indices {
            let w = try trees[b].increment(from: Double(lo), to: Double(hi))
            for value in w { data.append(value * sign / scale) }
        }
        return Tensor(shape: shape, data: data)
    }
}
