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
        let latent = sample([1, 4, 24, 40], seed: 7, amplitude: 2)
        let plan = try vae.tiledDecodePlan(latentHeight: 24, latentWidth: 40, tileSize: 16)
        XCTAssertGreaterThan(plan.tileCount, 3, "the test must cut the latent into several tiles")
        XCTAssertLessThan(plan.rows.padding + plan.rows.cores[0].count, 40, "tiles must not cover the whole width")
        let untiled = try vae.decode(latent)
        let tiled = try vae.decodeTiled(latent, tileSize: 16, strategy: .residentTiles)
        XCTAssertLessThanOrEqual(relativeDifference(tiled, untiled), 1e-4)
    }

    func testResidentAndRecomputedTilesGiveTheSameResult() throws {
        let vae = try Self.loadReferenceVAE()
        let image = sample([1, 3, 64, 192], seed: 8, amplitude: 1)
        XCTAssertEqual(try vae.tiledEncodePlan(imageHeight: 64, imageWidth: 192, tileSize: 64).tileCount, 3)
        let recomputed = try vae.encodeTiled(image, tileSize: 64, strategy: .recomputeTiles)
        let resident = try vae.encodeTiled(image, tileSize: 64, strategy: .residentTiles)
        XCTAssertEqual(recomputed.moments, resident.moments)
        XCTAssertLessThanOrEqual(relativeDifference(resident.moments, try vae.encode(image).moments), 1e-4)
    }

    func testTiledEncodeOfSeveralTilesEqualsUntiledEncode() throws {
        let vae = try Self.loadReferenceVAE()
        let image = sample([1, 3, 96, 160], seed: 9, amplitude: 1)
        let plan = try vae.tiledEncodePlan(imageHeight: 96, imageWidth: 160, tileSize: 64)
        XCTAssertGreaterThan(plan.tileCount, 3, "the test must cut the image into several tiles")
        XCTAssertLessThan(plan.columns.padding + plan.columns.cores[0].count, 160, "tiles must not cover the whole width")
        let untiled = try vae.encode(image)
        let tiled = try vae.encodeTiled(image, tileSize: 64, strategy: .residentTiles)
        XCTAssertLessThanOrEqual(relativeDifference(tiled.moments, untiled.moments), 1e-4)
        XCTAssertLessThanOrEqual(relativeDifference(tiled.mean, untiled.mean), 1e-4)
        XCTAssertLessThanOrEqual(relativeDifference(tiled.logvar, untiled.logvar), 1e-4)
    }

    func testTilePaddingCoversTheReceptiveFieldAndCoresTileTheImage() throws {
        let vae = try Self.loadReferenceVAE()
        let decode = try vae.tiledDecodePlan(latentHeight: 24, latentWidth: 40, tileSize: 8)
        // Decoder after the mid-block: per level (layers+1)·2 convs, one upsample conv, conv_out.
        XCTAssertGreaterThanOrEqual(decode.rows.padding, 6)
        XCTAssertEqual(decode.columns.cores.map(\.count).reduce(0, +), 40)
        XCTAssertEqual(decode.columns.cores.first?.lowerBound, 0)
        for (a, b) in zip(decode.columns.cores, decode.columns.cores.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        let encode = try vae.tiledEncodePlan(imageHeight: 96, imageWidth: 160, tileSize: 64)
        XCTAssertEqual(encode.rows.padding % 8, 0, "encoder context keeps tiles on the stride-8 grid")
        XCTAssertTrue(encode.columns.cores.allSatisfy { $0.lowerBound % 8 == 0 })
    }

    func testTileLargerThanTheInputRunsTheUntiledNetwork() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 12, 20], seed: 10, amplitude: 2)
        XCTAssertTrue(try vae.tiledDecodePlan(latentHeight: 12, latentWidth: 20, tileSize: 64).isSingleTile)
        XCTAssertEqual(try vae.decodeTiled(latent, tileSize: 64), try vae.decode(latent))
        let image = sample([1, 3, 64, 96], seed: 11, amplitude: 1)
        XCTAssertEqual(try vae.encodeTiled(image, tileSize: 512).moments, try vae.encode(image).moments)
    }

    func testBadTileSizesAreRejectedWithTheFieldNamed() throws {
        let vae = try Self.loadReferenceVAE()
        let latent = sample([1, 4, 12, 20], seed: 12, amplitude: 1)
        XCTAssertThrowsError(try vae.decodeTiled(latent, tileSize: 0)) { error in
            XCTAssertTrue("\(error)".contains("decoder tile size"), "\(error)")
        }
        let image = sample([1, 3, 64, 96], seed: 13, amplitude: 1)
        XCTAssertThrowsError(try vae.encodeTiled(image, tileSize: 100)) { error in
            XCTAssertTrue("\(error)".contains("encoder tile size") && "\(error)".contains("multiple of 8"), "\(error)")
        }
        XCTAssertThrowsError(try vae.encodeTiled(image, tileSize: 32)) { error in
            XCTAssertTrue("\(error)".contains("at least 64"), "\(error)")
        }
    }
}
