import TesseraSampling
import TesseraTensor
import XCTest

/// torch CPU and A1111 "NV" (Philox) normal streams against `cases/rng/*`.
final class ParityRNGTests: XCTestCase {
    private let seeds: [UInt64] = [0, 1, 42, 1_234_567, 4_294_967_295]
    private let sizes = [1, 7, 15, 16, 17, 100, 256]

    func testTorchCPURandnMatchesTorchForEverySeedAndSizeIncludingBothCodePaths() throws {
        let c = try ReferenceCase("rng", "torch_cpu")
        for seed in seeds {
            for n in sizes {
                var g = TorchCPUGenerator(seed: seed)
                let ours = Tensor(shape: [n], data: g.randn(count: n))
                assertClose(ours, try c.output("randn_s\(seed)_n\(n)"), tolerance: 1e-6, "randn seed \(seed) n \(n)")
            }
        }
        for seed: UInt64 in [0, 42] {
            var g = TorchCPUGenerator(seed: seed)
            let ours = Tensor(shape: [16384], data: g.randn(count: 16384))
            assertClose(ours, try c.output("randn_s\(seed)_n16384"), tolerance: 1e-6, "randn seed \(seed) n 16384")
        }
    }

    func testTorchCPURandMatchesTorchForEverySeedAndSize() throws {
        let c = try ReferenceCase("rng", "torch_cpu")
        for seed in seeds {
            for n in sizes {
                var g = TorchCPUGenerator(seed: seed)
                let ours = Tensor(shape: [n], data: g.rand(count: n))
                assertClose(ours, try c.output("rand_s\(seed)_n\(n)"), tolerance: 1e-6, "rand seed \(seed) n \(n)")
            }
        }
    }

    func testTorchCPUConsecutiveDrawsFromOneGeneratorMatchTorch() throws {
        let c = try ReferenceCase("rng", "torch_cpu")
        var g = TorchCPUGenerator(seed: 42)
        for (k, n) in [7, 17, 256].enumerated() {
            let ours = Tensor(shape: [n], data: g.randn(count: n))
            assertClose(ours, try c.output("randn_seq\(k)_n\(n)"), tolerance: 1e-6, "sequence draw \(k)")
        }
    }

    func testCPUSourceLatentNoiseForASeedMatchesTorchManualSeedRandn() throws {
        let c = try ReferenceCase("rng", "torch_cpu")
        var g = NoiseGenerator(source: .cpu, seed: 42)
        let noise = g.normal(shape: [1, 4, 16, 16])
        assertClose(noise, try c.output("global_manual_seed_randn_latent"), tolerance: 1e-6, "latent noise")
    }

    func testPhiloxMatchesA1111ForEverySeedAndSize() throws {
        let c = try ReferenceCase("rng", "philox_nv")
        for seed in seeds {
            for n in sizes {
                var g = PhiloxGenerator(seed: seed)
                let ours = Tensor(shape: [n], data: g.randn(count: n))
                assertClose(ours, try c.output("philox_s\(seed)_n\(n)"), tolerance: 1e-6, "philox seed \(seed) n \(n)")
            }
        }
        for seed: UInt64 in [0, 42] {
            var g = PhiloxGenerator(seed: seed)
            let ours = Tensor(shape: [16384], data: g.randn(count: 16384))
            assertClose(ours, try c.output("philox_s\(seed)_n16384"), tolerance: 1e-6, "philox seed \(seed) n 16384")
        }
    }

    func testPhiloxConsecutiveCallsAdvanceTheOffsetLikeA1111() throws {
        let c = try ReferenceCase("rng", "philox_nv")
        var g = PhiloxGenerator(seed: 42)
        for (k, n) in [7, 17, 256].enumerated() {
            let ours = Tensor(shape: [n], data: g.randn(count: n))
            assertClose(ours, try c.output("philox_seq\(k)_n\(n)"), tolerance: 1e-6, "philox sequence draw \(k)")
        }
    }

    func testNVSourceLatentNoiseForASeedMatchesA1111() throws {
        let c = try ReferenceCase("rng", "philox_nv")
        var g = NoiseGenerator(source: .nv, seed: 42)
        let noise = g.normal(shape: [1, 4, 16, 16])
        assertClose(noise, try c.output("philox_latent"), tolerance: 1e-6, "NV latent noise")
    }
}
