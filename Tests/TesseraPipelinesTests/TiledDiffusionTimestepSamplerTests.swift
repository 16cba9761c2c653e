import TesseraImaging
import TesseraPipelines
import TesseraTensor
import XCTest

/// DDIM and PLMS under Tiled Diffusion (spec §7.3): for timestep samplers both methods fuse the tiles' eps.
final class TiledDiffusionTimestepSamplerTests: XCTestCase {
    private func pipeline() throws -> StableDiffusionPipeline {
        StableDiffusionPipeline(model: try PipelineFixtures.model(), library: ModelLibrary(root: try PipelineFixtures.modelsDir()))
    }

    func testFusedEpsAveragesOverlapsForMultiDiffusionAndWeighsThemForMixtureOfDiffusers() throws {
        // A 12×8 latent in 8×8 tiles with overlap 4: tiles at x = 0 and x = 4, columns 4..7 shared.
        let grid = try TiledDiffusionGrid(latentWidth: 12, latentHeight: 8,
                                          settings: TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4))
        XCTAssertEqual(grid.tiles.map(\.x), [0, 4])
        let eps = [Tensor(shape: [1, 1, 8, 8], data: [Float](repeating: 1, count: 64)),
                   Tensor(shape: [1, 1, 8, 8], data: [Float](repeating: 3, count: 64))]
        let multi = try LatentTileFusion(grid: grid, method: .multiDiffusion).fusedEps(tileEps: eps, channels: 1)
        XCTAssertEqual(multi.shape, [1, 1, 8, 12])
        XCTAssertEqual(Array(multi.data[0..<12]), [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])

        let mixture = LatentTileFusion(grid: grid, method: .mixtureOfDiffusers)
        let fused = try mixture.fusedEps(tileEps: eps, channels: 1)
        let g = mixture.tileWeights
        for (column, (left, right)) in [(5, (5, 1)), (7, (7, 3))] {
            let expected = (g[left] * 1 + g[right] * 3) / (g[left] + g[right])
            XCTAssertEqual(fused.data[column], expected, accuracy: 1e-6, "column \(column)")
        }
        XCTAssertEqual(fused.data[0], 1, accuracy: 1e-6)
        XCTAssertEqual(fused.data[11], 3, accuracy: 1e-6)
        XCTAssertThrowsError(try mixture.fusedEps(tileEps: [eps[0]], channels: 1)) { XCTAssertTrue("\($0)".contains("1 tile predictions"), "\($0)") }
    }

    func testDDIMAndPLMSWithOneMultiDiffusionTileEqualTheUntiledPipelineExactly() throws {
        let pipeline = try pipeline()
        for sampler in ["DDIM", "PLMS"] {
            var request = PipelineFixtures.request(steps: 3)
            request.sampler = sampler
            let untiled = try pipeline.generate(request)
            request.tiledDiffusion = TiledDiffusionSettings(method: .multiDiffusion, tileWidth: 8, tileHeight: 8, overlap: 4)
            let tiled = try pipeline.generate(request)
            XCTAssertEqual(tiled.image, untiled.image, sampler)
            XCTAssertEqual(tiled.modelCalls, untiled.modelCalls, sampler)
        }
    }

    func testDDIMWithSeveralTilesRunsTheSameInAJobSessionAsInGenerate() throws {
        let pipeline = try pipeline()
        for (sampler, method) in [("DDIM", TiledDiffusionSettings.Method.mixtureOfDiffusers), ("PLMS", .multiDiffusion)] {
            var request = PipelineFixtures.request(steps: 4)
            request.sampler = sampler
            request.width = 96
            request.height = 64
            request.mode = .img2img(initImage: try PipelineFixtures.gradient(width: 96, height: 64))
            request.denoisingStrength = 0.7
            let untiled = try pipeline.generate(request).image
            request.tiledDiffusion = TiledDiffusionSettings(method: method, tileWidth: 8, tileHeight: 8, overlap: 4)
            let viaGenerate = try pipeline.generate(request)

            let session = try pipeline.latentTileSession(for: request)
            XCTAssertEqual(session.plan.grid.tiles.count, 2)
            let latent = try session.plan.sample(evaluator: SessionLatentTileEvaluator(session: session),
                                                 initLatent: try session.encodeInitImage())
            XCTAssertEqual(try session.decode(latent), viaGenerate.image, "\(sampler) \(method)")
            XCTAssertNotEqual(viaGenerate.image, untiled, "\(sampler) \(method): two tiles should not equal the untiled run")
        }
    }
}
