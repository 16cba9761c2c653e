import Foundation
import TesseraCheckpoint
import TesseraSampling
import TesseraTensor
import XCTest

/// The recordings of `Tests/Fixtures/sampling-torchsde/make_torchsde_fixtures.py`
/// (numpy SeedSequence, torchsde BrownianTree via k-diffusion, SDE sampler runs).
struct TorchSDEFixture {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sampling-torchsde")
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(name))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name) is not a JSON object")
    }

    static func tensors(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: root.appendingPathComponent(name).path)
    }
}

/// Row `i` of a stacked tensor `[N, ...]`, keeping the remaining shape.
func stackedEntry(_ t: Tensor, _ i: Int) -> Tensor {
    let shape = Array(t.shape.dropFirst())
    let size = shape.reduce(1, *)
    return Tensor(shape: shape, data: Array(t.data[(i * size)..<((i + 1) * size)]))
}

/// The fixed stand-in for CFG(UNet) the fixtures were recorded with, with torch's float32
/// operation order: `x / (σ² + 1) + 0.1·x² / (x² + 1)`.
struct ToyDenoiser: Denoiser {
    func denoise(_ x: Tensor, sigma: Float) throws -> Tensor {
        let scale = sigma * sigma + 1
        return Tensor(shape: x.shape, data: x.data.map { v in v / scale + Float(0.1) * (v * v) / (v * v + 1) })
    }
}

/// Hands out a wrapped sampler's noise and checks each draw against the recorded one.
struct CheckedNoise<Inner: NoiseSampler>: NoiseSampler {
    var inner: Inner
    let recorded: Tensor
    let tolerance: Float
    let label: String
    private(set) var used = 0

    init(_ inner: Inner, recorded: Tensor, tolerance: Float, label: String) {
        self.inner = inner
        self.recorded = recorded
        self.tolerance = tolerance
        self.label = label
    }

    mutating func noise(from sigma: Float, to sigmaNext: Float, shape: [Int]) throws -> Tensor {
        let n = try inner.noise(from: sigma, to: sigmaNext, shape: shape)
        if used < recorded.shape[0] {
            assertClose(n, stackedEntry(recorded, used), tolerance: tolerance, "\(label): noise draw \(used) (\(sigma) → \(sigmaNext))")
        } else {
            XCTFail("\(label): noise draw \(used) was not recorded")
        }
        used += 1
        return n
    }
}

/// A1111's Brownian-tree noise (k-diffusion `BrownianTreeNoiseSampler` on torchsde) from the
/// seed, against torchsde itself. Normals agree to float32 rounding of torch's CPU generator
/// (glibc vs SLEEF `log`/`sin`), so draws are compared at rel ≤ 1e-6 and whole SDE runs at
/// rel ≤ 1e-5.
final class ParityBrownianNoiseTests: XCTestCase {
    private let noiseTolerance: Float = 1e-6
    private let trajectoryTolerance: Float = 1e-5

    func testSeedSequenceGeneratesNumpysWords() throws {
        let cases = try XCTUnwrap(try TorchSDEFixture.json("seedsequence.json")["cases"] as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 100)
        for c in cases {
            let entropy = try XCTUnwrap(UInt64(try XCTUnwrap(c["entropy"] as? String)))
            let key = (c["spawn_key"] as? [String])?.compactMap(UInt64.init) ?? []
            let pool = try XCTUnwrap(c["pool_size"] as? Int)
            let expected = try XCTUnwrap(c["state"] as? [Int]).map(UInt32.init)
            let ours = try NumpySeedSequence(entropy: entropy, spawnKey: key, poolSize: pool).generateState(expected.count)
            XCTAssertEqual(ours, expected, "SeedSequence(\(entropy), spawn_key=\(key), pool_size=\(pool))")
        }
    }

    func testBrownianTreeNoiseMatchesTorchsdeForEveryRecordedQuery() throws {
        try checkRecordedQueries(fixture: "brownian", normals: .torchCPU)
    }

    /// The same trees with torchsde's node generator swapped for A1111's Philox imitation of
    /// CUDA `torch.randn` — what A1111 gives on an NVIDIA GPU as far as that imitation holds.
    func testPhiloxNormalsGiveTorchsdesTreeWithA1111sCUDAImitation() throws {
        try checkRecordedQueries(fixture: "brownian_philox", normals: .cudaPhilox)
    }

    private func checkRecordedQueries(fixture: String, normals: BrownianNormalSource) throws {
        let meta = try XCTUnwrap(try TorchSDEFixture.json("\(fixture).json")["cases"] as? [[String: Any]])
        let file = try TorchSDEFixture.tensors("\(fixture).safetensors")
        XCTAssertEqual(meta.count, 4)
        for c in meta {
            let name = try XCTUnwrap(c["name"] as? String)
            let seeds = try XCTUnwrap(c["seeds"] as? [String]).compactMap(Int64.init)
            let shape = try XCTUnwrap(c["shape"] as? [Int])
            let queries = try XCTUnwrap(c["queries"] as? [[Double]])
            let recorded = try file.tensor("\(name).noise")
            var noise = try BrownianTreeNoise(seeds: seeds, imageShape: shape,
                                              sigmaMin: Float(try XCTUnwrap(c["sigma_min"] as? Double)),
                                              sigmaMax: Float(try XCTUnwrap(c["sigma_max"] as? Double)), normals: normals)
            for (q, query) in queries.enumerated() {
                let n = try noise.noise(from: Float(query[0]), to: Float(query[1]), shape: [seeds.count] + shape)
                assertClose(n, stackedEntry(recorded, q), tolerance: noiseTolerance, "\(fixture) \(name) query \(q) \(query)")
            }
        }
    }

    /// Each k-diffusion SDE sampler with the Brownian noise A1111 builds (trees over the full
    /// schedule, one per image seed) and the toy denoiser, from the recorded start latent.
    func testSDESamplersWithTorchsdeNoiseReproduceKDiffusionRuns() throws {
        let meta = try XCTUnwrap(try TorchSDEFixture.json("trajectories.json")["cases"] as? [[String: Any]])
        let file = try TorchSDEFixture.tensors("trajectories.safetensors")
        XCTAssertEqual(meta.count, 5)
        for c in meta {
            let name = try XCTUnwrap(c["name"] as? String)
            let seeds = try XCTUnwrap(c["seeds"] as? [Int]).map(Int64.init)
            let shape = try XCTUnwrap(c["latent_shape"] as? [Int])
            let sampler: any KDiffusionSampler
            switch try XCTUnwrap(c["function"] as? String) {
            case "sample_dpmpp_sde": sampler = DPMPPSDESampler()
            case "sample_dpmpp_2m_sde":
                let heun = (c["kwargs"] as? [String: Any])?["solver_type"] as? String == "heun"
                sampler = DPMPP2MSDESampler(solver: heun ? .heun : .midpoint)
            case "sample_dpmpp_3m_sde": sampler = DPMPP3MSDESampler()
            case let other: XCTFail("unexpected sampler \(other)"); continue
            }
            let sigmas = try file.tensor("\(name).sigmas").data
            let brownian = try BrownianTreeNoise(seeds: seeds, imageShape: shape, schedule: try file.tensor("\(name).sigmas_full").data)
            let recorded = try file.tensor("\(name).noises")
            var noise = CheckedNoise(brownian, recorded: recorded, tolerance: 1e-5, label: name)
            let final = try sampler.sample(try file.tensor("\(name).x_init"), sigmas: sigmas, denoiser: ToyDenoiser(),
                                           noise: &noise, progress: nil)
            XCTAssertEqual(noise.used, c["noise_draws"] as? Int, "\(name): noise draws")
            assertClose(final, try file.tensor("\(name).x_final"), tolerance: trajectoryTolerance, "\(name): x_final")
        }
    }

    /// The whole A1111 wiring through `SamplingPlan`: sampler name → Automatic scheduler,
    /// "RNG: CPU" seed noise per image, img2img slicing, Brownian trees seeded with the image
    /// seeds over the full schedule.
    func testSamplingPlanReproducesA1111SDERunsFromTheSeeds() throws {
        let meta = try XCTUnwrap(try TorchSDEFixture.json("trajectories.json")["cases"] as? [[String: Any]])
        let file = try TorchSDEFixture.tensors("trajectories.safetensors")
        let labels = ["dpmpp_sde_karras": "DPM++ SDE", "dpmpp_2m_sde_exponential": "DPM++ 2M SDE",
                      "dpmpp_2m_sde_heun_exponential": "DPM++ 2M SDE Heun", "dpmpp_3m_sde_exponential": "DPM++ 3M SDE",
                      "img2img_dpmpp_2m_sde_exponential": "DPM++ 2M SDE"]
        for c in meta {
            let name = try XCTUnwrap(c["name"] as? String)
            let plan = SamplingPlan(selection: try SamplerSelection(parsing: try XCTUnwrap(labels[name])),
                                    steps: try XCTUnwrap(c["steps"] as? Int),
                                    denoisingStrength: c["denoising_strength"] as? Double,
                                    noiseSource: NoiseSource(rng: .cpu))
            let sigmas = try plan.sigmas()
            assertClose(Tensor(shape: [sigmas.count], data: sigmas), try file.tensor("\(name).sigmas"), tolerance: 1e-6, "\(name): sigmas")
            let images = try XCTUnwrap(c["seeds"] as? [Int]).map { ImageSeed(seed: Int64($0)) }
            let initLatent = file.entries["\(name).init_latent"] == nil ? nil : try file.tensor("\(name).init_latent")
            let final = try plan.run(denoiser: ToyDenoiser(), images: images, latentShape: try XCTUnwrap(c["latent_shape"] as? [Int]),
                                     initLatent: initLatent)
            assertClose(final, try file.tensor("\(name).x_final"), tolerance: trajectoryTolerance, "\(name): plan x_final")
        }
    }
}
