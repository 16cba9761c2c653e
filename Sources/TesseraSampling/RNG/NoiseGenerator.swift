import Foundation
import TesseraTensor

/// Which random stream A1111 draws noise from (`randn_source`, infotext key "RNG").
public enum RNGSource: String, Sendable, CaseIterable, Codable {
    /// torch's CPU generator (`torch.manual_seed(seed); torch.randn(shape)` on CPU).
    case cpu = "CPU"
    /// A1111's Philox re-implementation of CUDA `torch.randn` (`rng_philox.py`).
    case nv = "NV"

    /// Parses an A1111 `randn_source` value ("CPU", "NV"; case-insensitive). "GPU" is refused:
    /// its stream depends on the vendor's device RNG and cannot be reproduced on a CPU.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let match = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(trimmed) == .orderedSame }) {
            self = match
        } else {
            throw SamplingError.unknownName(kind: "RNG source", name: text,
                                            known: Self.allCases.map(\.rawValue),
                                            note: trimmed.uppercased() == "GPU" ? "GPU noise depends on the device vendor and is not reproducible on CPU; use NV to match NVIDIA results" : nil)
        }
    }
}

/// One seeded normal stream of either RNG source: A1111's `create_generator(seed)`.
public struct NoiseGenerator: Sendable {
    private enum Engine: Sendable {
        case cpu(TorchCPUGenerator)
        case nv(PhiloxGenerator)
    }

    private var engine: Engine
    /// The source this stream imitates.
    public let source: RNGSource

    /// A freshly seeded stream. Seeds are taken modulo 2^64 (negative A1111 seeds wrap as in torch).
    public init(source: RNGSource, seed: UInt64) {
        self.source = source
        switch source {
        case .cpu: engine = .cpu(TorchCPUGenerator(seed: seed))
        case .nv: engine = .nv(PhiloxGenerator(seed: seed))
        }
    }

    /// The next standard-normal tensor of `shape` (one `randn` call).
    public mutating func normal(shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        switch engine {
        case .cpu(var g):
            let data = g.randn(count: count)
            engine = .cpu(g)
            return Tensor(shape: shape, data: data)
        case .nv(var g):
            let data = g.randn(count: count)
            engine = .nv(g)
            return Tensor(shape: shape, data: data)
        }
    }
}
