import TesseraTensor

/// Seeded Brownian-motion noise for the SDE samplers (DPM++ SDE, DPM++ 2M SDE), in the role
/// of k-diffusion's `BrownianTreeNoiseSampler` that A1111 seeds with the image seeds.
///
/// Each image gets a Brownian path W over [σ_min, σ_max] that is a pure function of its seed:
/// W(σ_min) = 0, W(σ_max) = √(σ_max − σ_min)·Z_root, and every bisection midpoint is the
/// Brownian-bridge mean of its interval plus `√(len/4)·Z_node`, with `Z_node` drawn from a
/// Philox stream keyed by the seed and the node's index. A query descends to ~1e-6 of the
/// range and interpolates linearly inside the last interval. Noise for a step σ → σ' is
/// `(W(σ') − W(σ)) / √|σ' − σ|`, so repeated and out-of-order queries agree, as with
/// k-diffusion's tree.
///
/// NOT bit-compatible with torchsde's `BrownianInterval` (different random tree), so DPM++ SDE
/// images differ from A1111's in their fine noise; the distribution and the
/// seed-determinism are the same.
public struct BrownianTreeNoise: NoiseSampler {
    /// One seed per batch row (the image seeds).
    public let seeds: [Int64]
    /// Lower end of the path (smallest positive sigma of the schedule).
    public let sigmaMin: Float
    /// Upper end of the path (largest sigma of the schedule).
    public let sigmaMax: Float
    private let maxDepth = 24

    /// One path per batch row, seeded with that image's seed (A1111 passes the image seeds).
    public init(seeds: [Int64], sigmaMin: Float, sigmaMax: Float) throws {
        guard sigmaMin > 0, sigmaMax > sigmaMin else {
            throw SamplingError.invalidParameter(name: "Brownian tree range", problem: "need 0 < sigma_min < sigma_max, got \(sigmaMin)...\(sigmaMax)")
        }
        self.seeds = seeds
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
    }

    /// A tree over the positive range of a schedule (`sigmas[sigmas > 0].min()`, `sigmas.max()`).
    public init(seeds: [Int64], schedule sigmas: [Float]) throws {
        let positive = sigmas.filter { $0 > 0 }
        try self.init(seeds: seeds, sigmaMin: positive.min() ?? 0, sigmaMax: sigmas.max() ?? 0)
    }

    public mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
        guard let batch = shape.first, batch == seeds.count else {
            throw SamplingError.mismatch("Brownian noise requested for shape \(shape) but there are \(seeds.count) seeds")
        }
        let count = shape.dropFirst().reduce(1, *)
        let scale = 1 / abs(Double(sigmaNext) - Double(sigma)).squareRoot()
        var data = [Float]()
        data.reserveCapacity(batch * count)
        for b in 0..<batch {
            let w0 = path(seed: seeds[b], at: Double(sigma), count: count)
            let w1 = path(seed: seeds[b], at: Double(sigmaNext), count: count)
            for i in 0..<count { data.append(Float((w1[i] - w0[i]) * scale)) }
        }
        return Tensor(shape: shape, data: data)
    }

    /// W(t) for one seed.
    private func path(seed: Int64, at query: Double, count: Int) -> [Double] {
        var lo = Double(sigmaMin), hi = Double(sigmaMax)
        let t = min(max(query, lo), hi)
        var wLo = [Double](repeating: 0, count: count)
        var wHi = normals(seed: seed, node: 1, count: count).map { $0 * (hi - lo).squareRoot() }
        if t == lo { return wLo }
        if t == hi { return wHi }
        let tolerance = (hi - lo) * 1e-6
        var node: UInt64 = 1
        for _ in 0..<maxDepth {
            let mid = (lo + hi) / 2
            let z = normals(seed: seed, node: node &* 2, count: count)
            let spread = ((hi - lo) / 4).squareRoot()
            let wMid = (0..<count).map { (wLo[$0] + wHi[$0]) / 2 + spread * z[$0] }
            if abs(t - mid) <= tolerance { return wMid }
            if t < mid {
                hi = mid; wHi = wMid; node = node &* 2
            } else {
                lo = mid; wLo = wMid; node = node &* 2 &+ 1
            }
        }
        let f = (t - lo) / (hi - lo)
        return (0..<count).map { wLo[$0] + f * (wHi[$0] - wLo[$0]) }
    }

    /// Standard normals for one tree node: Philox keyed by the seed, counter (node, tag, j, 0).
    private func normals(seed: Int64, node: UInt64, count: Int) -> [Double] {
        let key = UInt64(bitPattern: seed)
        let k = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
        return (0..<count).map { j in
            let c = PhiloxGenerator.philox(counter: (UInt32(truncatingIfNeeded: node), UInt32(truncatingIfNeeded: node >> 32) ^ 0x4252_4F57,
                                                     UInt32(truncatingIfNeeded: j), 0), key: k)
            return Double(PhiloxGenerator.boxMuller(c.0, c.1))
        }
    }
}
