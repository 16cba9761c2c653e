import Foundation
import TOMLKit
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// Tiled Diffusion's noise inversion in a cluster job: the inversion steps travel as version-3 `invert` latent
/// stages, fused by the coordinator like model calls, and the job gives the in-process image bit for bit.
final class DistributedNoiseInversionTests: XCTestCase {
    static func spec(renoise: Double = 1) -> UpscaleJobSpec {
        var spec = DistributedTiledDiffusionTests.spec(method: .multiDiffusion)
        spec.diffusion?.sampler = "Euler"
        spec.tiledDiffusion?.noiseInversion = true
        spec.tiledDiffusion?.noiseInversionSteps = 3
        spec.tiledDiffusion?.renoiseStrength = renoise
        spec.tiledDiffusion?.renoiseKernelSize = 8
        return spec
    }

    func testTheJobFileEnablesItWithTheExtensionsNamesAndRefusesOtherSamplers() throws {
        let toml = """
            upscaler = "diffusion"
            scale = 2
            [diffusion]
            checkpoint = "m"
            sampler_name = "Euler"
            [tiled_diffusion]
            noise_inversion = true
            noise_inversion_steps = 12
            noise_inversion_retouch = 2
            renoise_kernel_size = 32
            """
        let spec = try TOMLDecoder().decode(UpscaleJobSpec.self, from: toml)
        try spec.validate()
        let settings = try XCTUnwrap(spec.tiledDiffusion).settings()
        XCTAssertEqual(settings.noiseInversion, NoiseInversionSettings(steps: 12, retouch: 2, renoiseStrength: 1, renoiseKernelSize: 32))
        var eulerA = spec
        eulerA.diffusion?.sampler = "Euler a"
        XCTAssertThrowsError(try eulerA.validate()) { XCTAssertTrue("\($0)".contains("tiled_diffusion.noise_inversion"), "\($0)") }
        var tooMany = spec
        tooMany.tiledDiffusion?.noiseInversionSteps = 201
        XCTAssertThrowsError(try tooMany.validate()) { XCTAssertTrue("\($0)".contains("noise inversion steps"), "\($0)") }
    }

    func testAJobWithoutNoiseInversionKeepsItsEarlierSpecJSON() throws {
        let json = String(decoding: try JSONEncoder().encode(DistributedTiledDiffusionTests.spec()), as: UTF8.self)
        XCTAssertFalse(json.contains("noise_inversion") || json.contains("renoise"), json)
        let on = String(decoding: try JSONEncoder().encode(Self.spec()), as: UTF8.self)
        XCTAssertTrue(on.contains("\"noise_inversion\":true"), on)
    }

    func testInversionStagesAreVersionThreeAndHaveTheirOwnStageIds() throws {
        let invert = LatentStageDocument(kind: .invert, call: 2, samplingStep: 2, timestep: 333.5, tile: 1)
        XCTAssertEqual(invert.version, 3)
        XCTAssertEqual(try JSONDecoder().decode(LatentStageDocument.self, from: try JSONEncoder().encode(invert)), invert)
        let inversion = LatentTileRound(kind: .inversion, call: 2, samplingStep: 2, sigma: 0, timestep: 333.5, crops: [])
        let sampling = LatentTileRound(call: 2, samplingStep: 2, sigma: 1, crops: [])
        XCTAssertEqual(LatentStageKey.stage(of: inversion), LatentStageKey.inversionStageBase + 2)
        XCTAssertEqual(LatentStageKey.stage(of: sampling), 3)
        XCTAssertLessThan(LatentStageKey.stage(of: inversion), LatentStageKey.decodeStage)
    }

    func testTwoWorkersGiveTheInProcessImageBitForBitAndInversionChangesTheImage() throws {
        let source = DistributedTiledDiffusionTests.source
        let renderer = try DiffusionUpscaleTests.workerRenderer()
        let expected = try InProcessLatentDiffusion.render(source: source, spec: Self.spec(), renderer: renderer)
        var plain = Self.spec()
        plain.tiledDiffusion?.noiseInversion = false
        let withoutInversion = try InProcessLatentDiffusion.render(source: source, spec: plain, renderer: renderer)
        XCTAssertNotEqual(expected, withoutInversion, "the inverted start noise must change the image")
        let pureInversion = try InProcessLatentDiffusion.render(source: source, spec: Self.spec(renoise: 0), renderer: renderer)
        XCTAssertNotEqual(expected, pureInversion, "renoise strength 1 blends fresh noise in")

        let cluster = try LatentTestCluster(self, renderer: DiffusionUpscaleTests.workerRenderer)
        defer { cluster.stop() }
        let output = try cluster.render(source, spec: Self.spec())
        XCTAssertEqual(output.rgba8, expected, "output differs from the in-process run")
        XCTAssertTrue(try XCTUnwrap(output.parameters).contains("noise inversion steps: 3, retouch: 1, renoise strength: 1, renoise kernel: 8"),
                      output.parameters ?? "")
    }
}
