import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// Tiled VAE encode/decode with whole-image GroupNorm statistics equals the untiled VAE.
final class TiledVAETests: XCTestCase {
    static func loadReferenceVAE() throws -> AutoencoderKL {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference/models/vae/diffusion_pytorch_model.safetensors").path
        return try AutoencoderKL(source: SafeTensorsFile(path: path))
    }

    /// Seeded values in [-amplitude, amplitude) with some low-frequency structure, so tiles differ.
    func sample(_ shape: [Int], seed: UInt64, amplitude: Float) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let h = shape[2], w = shape[3]
        var data = [Float]()
        for i in 0..<shape.reduce(1, *) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let noise = Float(state >> 40) / Float(1 << 24) * 2 - 1
            let y = (i / w) % h, x = i % w
            data.append(amplitude * (0.6 * noise + 0.4 * sin(Float(y) * 0.3 + Float(x) * 0.17)))
        }
        return Tensor(shape: shape, data: data)
    }

    func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        let scale = b.data.map { abs($0) }.max() ?? 0
        let diff = zip(a.data, b.data).map { abs($0 - $1) }.max() ?? .infinity
        return diff / max(scale, .leastNormalMagnitude)
    }

    func testTiledDecodeOfSeveralTilesEqualsUntiledDecode() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 16, 32], seed: 7, amplitude: 2)
        let plan = try vae.tiledDecodePlan(latentHeight: 16, latentWidth: 32, tileSize: 12)
        XCTAssertGreaterThan(plan.tileCount, 3, "the test must cut the latent into several tiles")
        XCTAssertLessThan(plan.columns.cores[0].count, 32, "tiles must not cover the whole width")
        let untiled = try vae.decode(latent)
        let tiled = try vae.decodeTiled(latent, tileSize: 12)
        XCTAssertLessThanOrEqual(relativeDifference(tiled, untiled), 1e-4)
    }

    func testTiledDecodeOfABatchEqualsUntiledDecode() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([2, 4, 16, 24], seed: 17, amplitude: 2)
        XCTAssertLessThanOrEqual(relativeDifference(try vae.decodeTiled(latent, tileSize: 8), try vae.decode(latent)), 1e-4)
    }

    func testActivationsInTemporaryFilesGiveExactlyTheInMemoryResult() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 16, 24], seed: 14, amplitude: 2)
        let inMemory = try vae.decodeTiled(latent, tileSize: 8, storage: .memory)
        let inFiles = try vae.decodeTiled(latent, tileSize: 8, storage: .temporaryFiles(directory: NSTemporaryDirectory()))
        XCTAssertEqual(inFiles, inMemory)
        let image = sample([1, 3, 64, 128], seed: 15, amplitude: 1)
        XCTAssertEqual(try vae.encodeTiled(image, tileSize: 64, storage: .automatic(memoryLimitBytes: 0)).moments,
                       try vae.encodeTiled(image, tileSize: 64, storage: .memory).moments)
    }

    func testTiledEncodeOfSeveralTilesEqualsUntiledEncode() throws {
        let vae = try Self.loadReferenceVAE()
        let image = sample([1, 3, 96, 160], seed: 9, amplitude: 1)
        let plan = try vae.tiledEncodePlan(imageHeight: 96, imageWidth: 160, tileSize: 64)
        XCTAssertGreaterThan(plan.tileCount, 3, "the test must cut the image into several tiles")
        XCTAssertLessThan(plan.columns.cores[0].count, 160, "tiles must not cover the whole width")
        let untiled = try vae.encode(image)
        let tiled = try vae.encodeTiled(image, tileSize: 64)
        XCTAssertLessThanOrEqual(relativeDifference(tiled.moments, untiled.moments), 1e-4)
        XCTAssertLessThanOrEqual(relativeDifference(tiled.mean, untiled.mean), 1e-4)
        XCTAssertLessThanOrEqual(relativeDifference(tiled.logvar, untiled.logvar), 1e-4)
    }

    func testPerTileAttentionWithContextCoveringTheLatentEqualsGlobalAttention() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 16, 24], seed: 18, amplitude: 2)
        let global = try vae.decodeTiled(latent, tileSize: 8, attention: .global)
        let wide = try vae.decodeTiled(latent, tileSize: 8, attention: .tile(context: 24))
        XCTAssertLessThanOrEqual(relativeDifference(wide, global), 1e-4)
    }

    func testPerTileAttentionWithSmallContextIsTheA1111ApproximationNotTheUntiledVAE() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 16, 24], seed: 19, amplitude: 2)
        let local = try vae.decodeTiled(latent, tileSize: 8, attention: .tile(context: 2))
        XCTAssertEqual(local.shape, [1, 3, 128, 192])
        XCTAssertTrue(local.data.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(relativeDifference(local, try vae.decode(latent)), 1e-6,
                             "attention limited to the tile must see less than the whole latent")
    }

    func testPlanCoresTileTheInputWithoutGapsOrOverlaps() throws {
        let vae = try Self.loadReferenceVAE()
        let decode = try vae.tiledDecodePlan(latentHeight: 24, latentWidth: 40, tileSize: 8)
        XCTAssertEqual(decode.columns.cores.map(\.count).reduce(0, +), 40)
        XCTAssertEqual(decode.columns.cores.first?.lowerBound, 0)
        XCTAssertTrue(decode.columns.cores.allSatisfy { $0.count <= 8 })
        for (a, b) in zip(decode.columns.cores, decode.columns.cores.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        let encode = try vae.tiledEncodePlan(imageHeight: 96, imageWidth: 160, tileSize: 64)
        XCTAssertTrue(encode.columns.cores.allSatisfy { $0.lowerBound % 8 == 0 }, "encoder cores stay on the stride-8 grid")
        XCTAssertEqual(encode.rows.cores.last?.upperBound, 96)
    }

    func testTileLargerThanTheInputRunsTheUntiledNetwork() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 12, 20], seed: 10, amplitude: 2)
        XCTAssertTrue(try vae.tiledDecodePlan(latentHeight: 12, latentWidth: 20, tileSize: 64).isSingleTile)
        XCTAssertEqual(try vae.decodeTiled(latent, tileSize: 64), try vae.decode(latent))
        let image = sample([1, 3, 64, 96], seed: 11, amplitude: 1)
        XCTAssertEqual(try vae.encodeTiled(image, tileSize: 512).moments, try vae.encode(image).moments)
    }

    func testBadTileSizesAndContextsAreRejectedWithTheFieldNamed() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 12, 20], seed: 12, amplitude: 1)
        XCTAssertThrowsError(try vae.decodeTiled(latent, tileSize: 0)) { error in
            XCTAssertTrue("\(error)".contains("decoder tile size"), "\(error)")
        }
        XCTAssertThrowsError(try vae.decodeTiled(latent, tileSize: 8, attention: .tile(context: -1))) { error in
            XCTAssertTrue("\(error)".contains("attention context"), "\(error)")
        }
        let image = sample([1, 3, 64, 96], seed: 13, amplitude: 1)
        XCTAssertThrowsError(try vae.encodeTiled(image, tileSize: 100)) { error in
            XCTAssertTrue("\(error)".contains("encoder tile size") && "\(error)".contains("multiple of 8"), "\(error)")
        }
        XCTAssertThrowsError(try vae.encodeTiled(image, tileSize: 32)) { error in
            XCTAssertTrue("\(error)".contains("at least 64"), "\(error)")
        }
    }

    func testUnwritableTemporaryDirectoryIsReportedByName() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 16, 24], seed: 16, amplitude: 1)
        XCTAssertThrowsError(try vae.decodeTiled(latent, tileSize: 8, storage: .temporaryFiles(directory: "/nonexistent/tessera-vae"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/tessera-vae"), "\(error)")
        }
    }
}
