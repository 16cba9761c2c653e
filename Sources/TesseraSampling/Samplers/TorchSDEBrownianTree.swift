import Foundation

/// Which normal generator a Brownian tree's nodes draw from. torchsde seeds a fresh
/// `torch.Generator(device)` per node on the latent's device, so the numbers depend on where
/// A1111 ran: the CPU, or an NVIDIA GPU (CUDA Philox, which A1111's "NV" source imitates).
public enum BrownianNormalSource: String, Sendable, CaseIterable, Codable {
    /// torch's CPU generator: what A1111 gives when the latent is on the CPU.
    case torchCPU = "CPU"
    /// A1111's Philox imitation of CUDA `torch.randn` (offset 0 for a fresh generator): what
    /// A1111 gives on an NVIDIA GPU, to the accuracy of A1111's "NV" imitation.
    case cudaPhilox = "NV"

    /// The source matching an A1111 RNG setting: NV → CUDA Philox, CPU → torch CPU.
    public init(matching rng: RNGSource) {
        self = rng == .nv ? .cudaPhilox : .torchCPU
    }

    func normals(seed: UInt32, count: Int) -> [Float] {
        switch self {
        case .torchCPU:
            var g = TorchCPUGenerator(seed: UInt64(seed))
            return g.randn(count: count)
        case .cudaPhilox:
            var g = PhiloxGenerator(seed: UInt64(seed))
            return g.randn(count: count)
        }
    }
}

/// torchsde's `BrownianTree(t0, w0=0, t1, entropy=seed)` for one image: a Brownian path over
/// [t0, t1] whose increments are a pure function of the seed, reproducing torchsde 0.2.x
/// (`BrownianInterval` with `halfway_tree=True`, `tol=1e-6`, `pool_size=24`, no Lévy area)
/// up to float32 rounding of the normal generator.
///
/// How torchsde builds it:
/// * every time is rounded to 6 decimals (Python `round`), the ends included;
/// * the root increment W(t0, t1) is `randn(seed_W) · √(t1 − t0)` with the unrounded ends,
///   `seed_W` the first word of `SeedSequence(entropy=seed, pool_size=24)`;
/// * a node [s, e] splits at `round((e + s)/2)`; its children's increments are the Brownian
///   bridge `left = (m−s)/(e−s)·W + √((m−s)(e−m)/(e−s))·Z`, `right = W − left`, with Z drawn
///   from a generator seeded by the first word of
///   `SeedSequence(entropy=seed, spawn_key=(key, depth), pool_size=24)`; the root has key 0,
///   depth 0, and a child's key is `2·key` (left) or `2·key + 1` (right);
/// * a query [a, b] is split at the midpoints into tree nodes whose increments are summed
///   left to right.
/// The float32 operations are torch's, in torch's order, so results are bit-identical when the
/// normals are.
struct TorchSDEBrownianTree: Sendable {
    /// Decimal digits torchsde's `BrownianTree` resolves times to (`tol=1e-6`).
    static let digits = 6
    /// torchsde's `BrownianTree` pool size.
    static let poolSize = 24
    /// Parents whose children are kept; torchsde keeps an LRU of 45 intervals. The values do not
    /// depend on it, only the time spent recomputing.
    private static let cacheCapacity = 64

    let entropy: UInt64
    let count: Int
    let normals: BrownianNormalSource
    /// Rounded ends of the tree.
    let start: Double
    let end: Double
    private let rootW: [Float]
    private var cache: [NodeID: CachedSplit] = [:]
    private var clock: UInt64 = 0

    private struct NodeID: Hashable {
        let key: UInt64
        let depth: Int
    }

    private struct CachedSplit {
        let left: [Float]
        let right: [Float]
        var lastUse: UInt64
    }

    init(t0: Double, t1: Double, count: Int, entropy: UInt64, normals: BrownianNormalSource) throws {
        guard t0.isFinite, t1.isFinite, t0 <= t1 else {
            throw SamplingError.invalidParameter(name: "Brownian tree range", problem: "need finite t0 <= t1, got \(t0)...\(t1)")
        }
        guard count > 0 else {
            throw SamplingError.invalidParameter(name: "Brownian tree size", problem: "need at least one element, got \(count)")
        }
        self.entropy = entropy
        self.count = count
        self.normals = normals
        start = DecimalRounding.round(t0, digits: Self.digits)
        end = DecimalRounding.round(t1, digits: Self.digits)
        let rootSeed = try NumpySeedSequence(entropy: entropy, poolSize: Self.poolSize).generateState(1)[0]
        let scale = Float((t1 - t0).squareRoot())
        rootW = normals.normals(seed: rootSeed, count: count).map { $0 * scale }
    }

    /// torchsde `tree(ta, tb)` for ta <= tb: the increment W(tb) − W(ta), clamped to the tree's
    /// range as torchsde clamps (with a warning there).
    mutating func increment(from ta: Double, to tb: Double) throws -> [Float] {
        let a = min(max(ta, start), end), b = min(max(tb, start), end)
        guard a <= b else {
            throw SamplingError.invalidParameter(name: "Brownian query", problem: "times must be ordered, got \(ta) > \(tb)")
        }
        if a == b { return [Float](repeating: 0, count: count) }
        let ra = DecimalRounding.round(a, digits: Self.digits), rb = DecimalRounding.round(b, digits: Self.digits)
        guard ra < rb else {
            throw SamplingError.invalidParameter(name: "Brownian query",
                                                 problem: "times \(ta) and \(tb) are closer than the tree's 1e-6 resolution")
        }
        var parts = [[Float]]()
        try collect(start: start, end: end, w: rootW, node: NodeID(key: 0, depth: 0), from: ra, to: rb, into: &parts)
        var total = parts[0]
        for part in parts.dropFirst() {
            for i in 0..<count { total[i] += part[i] }
        }
        return total
    }

    /// Walks from node [start, end] (increment `w`) to the nodes that tile [a, b].
    private mutating func collect(start: Double, end: Double, w: [Float], node: NodeID,
                                  from a: Double, to b: Double, into parts: inout [[Float]]) throws {
        if a == start, b == end {
            parts.append(w)
            return
        }
        let mid = DecimalRounding.round(0.5 * (end + start), digits: Self.digits)
        guard mid > start, mid < end, node.depth < 62 else {
            throw SamplingError.invalidParameter(name: "Brownian query", problem: "cannot resolve [\(a), \(b)] inside [\(start), \(end)]")
        }
        let (left, right) = try split(node, start: start, mid: mid, end: end, w: w)
        let leftNode = NodeID(key: node.key &* 2, depth: node.depth + 1)
        let rightNode = NodeID(key: node.key &* 2 &+ 1, depth: node.depth + 1)
        if b <= mid {
            try collect(start: start, end: mid, w: left, node: leftNode, from: a, to: b, into: &parts)
        } else if a >= mid {
            try collect(start: mid, end: end, w: right, node: rightNode, from: a, to: b, into: &parts)
        } else {
            try collect(start: start, end: mid, w: left, node: leftNode, from: a, to: mid, into: &parts)
            try collect(start: mid, end: end, w: right, node: rightNode, from: mid, to: b, into: &parts)
        }
    }

    /// The Brownian bridge split of a node's increment into its two children's.
    private mutating func split(_ node: NodeID, start: Double, mid: Double, end: Double, w: [Float]) throws -> ([Float], [Float]) {
        clock &+= 1
        if var hit = cache[node] {
            hit.lastUse = clock
            cache[node] = hit
            return (hit.left, hit.right)
        }
        let seed = try NumpySeedSequence(entropy: entropy, spawnKey: [node.key, UInt64(node.depth)],
                                         poolSize: Self.poolSize).generateState(1)[0]
        let z = normals.normals(seed: seed, count: count)
        let hReciprocal = 1 / (end - start)
        let leftDiff = mid - start, rightDiff = end - mid
        // torch evaluates `left_diff * W * h_reciprocal + sqrt(var) * noise` in float32 with
        // the Python scalars cast to float32 first.
        let a = Float(leftDiff), h = Float(hReciprocal)
        let spread = Float((leftDiff * rightDiff * hReciprocal).squareRoot())
        var left = [Float](repeating: 0, count: count), right = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let l = a * w[i] * h + spread * z[i]
            left[i] = l
            right[i] = w[i] - l
        }
        if cache.count >= Self.cacheCapacity, let oldest = cache.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            cache.removeValue(forKey: oldest)
        }
        cache[node] = CachedSplit(left: left, right: right, lastUse: clock)
        return (left, right)
    }
}
