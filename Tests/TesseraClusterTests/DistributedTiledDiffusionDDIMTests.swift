import Foundation
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// DDIM / PLMS tiled-diffusion jobs across the cluster: timestep calls travel as version-2 latent stages and give
/// the in-process image bit for bit.
final class DistributedTiledDiffusionDDIMTests: XCTestCase {
    static func spec(sampler: String) -> UpscaleJobSpec {
        var spec = DistributedTiledDiffusionTests.spec(method: .multiDiffusion)
        spec.diffusion?.sampler = sampler
        return spec
    }

    func testTimestepStagesAreVersionTwoAndKDiffusionStagesStayVersionOne() throws {
        let ddim = LatentStageDocument(kind: .denoise, call: 2, samplingStep: 1, sigma: 0.5, timestep: 501, tile: 3)
        XCTAssertEqual(ddim.version, 2)
        let back = try JSONDecoder().decode(LatentStageDocument.self, from: try JSONEncoder().encode(ddim))
        XCTAssertEqual(back, ddim)
        let euler = LatentStageDocument(kind: .denoise, call: 2, samplingStep: 1, sigma: 0.5, tile: 3)
        XCTAssertEqual(euler.version, 1)
        let json = String(decoding: try JSONEncoder().encode(euler), as: UTF8.self)
        XCTAssertFalse(json.contains("timestep"), json)
    }

    func testADDIMAndAPLMSJobOnTwoWorkersEqualTheInProcessRunBitForBit() throws {
        let source = DistributedTiledDiffusionTests.source
        let renderer = try DiffusionUpscaleTests.workerRenderer()
        let cluster = try LatentTestCluster(self, renderer: DiffusionUpscaleTests.workerRenderer)
        defer { cluster.stop() }

        var images: [RGBAImage] = []
        for sampler in ["DDIM", "PLMS"] {
            let expected = try InProcessLatentDiffusion.render(source: source, spec: Self.spec(sampler: sampler), renderer: renderer)
            let output = try cluster.render(source, spec: Self.spec(sampler: sampler))
            XCTAssertEqual(output.rgba8, expected, "\(sampler): output differs from the in-process run")
            images.append(expected)
        }
        XCTAssertNotEqual(images[0], images[1], "DDIM and PLMS are different samplers")
    }
}
