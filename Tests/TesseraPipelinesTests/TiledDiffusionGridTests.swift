import TesseraPipelines
import TesseraTensor
import XCTest

/// Tiled Diffusion geometry, weights and fusion against spec §7.2–7.3.
final class TiledDiffusionGridTests: XCTestCase {
    func testTilesAreSpreadEvenlyWithTruncatedOrigins() throws {
        // w = 200, tile 96, overlap 48: cols = ⌈152/48⌉ = 4, dx = 104/3 = 34.67 → x = 0, 34, 69, 104.
        let grid = try TiledDiffusionGrid(latentWidth: 200, latentHeight: 96, tileWidth: 96, tileHeight: 96, overlap: 48)
        XCTAssertEqual(grid.cols, 4)
        XCTAssertEqual(grid.rows, 1)
        XCTAssertEqual(grid.tiles.map(\.x), [0, 34, 69, 104])
        XCTAssertEqual(Set(grid.tiles.map(\.y)), [0])
        XCTAssertTrue(grid.tiles.allSatisfy { $0.width == 96 && $0.height == 96 })
    }

    func testImg2ImgDefaultsOnA1024SquareGiveTwoByTwoTiles() throws {
        let settings = TiledDiffusionSettings.img2imgDefault
        XCTAssertEqual(settings.method, .mixtureOfDiffusers)
        XCTAssertEqual([settings.tileWidth, settings.tileHeight, settings.overlap, settings.batchSize], [96, 96, 8, 4])
        // 128 latent px: cols = ⌈120/88⌉ = 2, dx = 32.
        let grid = try TiledDiffusionGrid(latentWidth: 128, latentHeight: 128, settings: settings)
        XCTAssertEqual(grid.tiles.map { [$0.x, $0.y] }, [[0, 0], [32, 0], [0, 32], [32, 32]])
        XCTAssertEqual(TiledDiffusionSettings.txt2imgDefault.method, .multiDiffusion)
        XCTAssertEqual(TiledDiffusionSettings.txt2imgDefault.overlap, 48)
    }

    func testOverlapIsClampedAgainstTheUITileSizeBeforeTheImageCutsTheTileDown() throws {
        let small = try TiledDiffusionGrid(latentWidth: 64, latentHeight: 64, tileWidth: 16, tileHeight: 24, overlap: 48)
        XCTAssertEqual(small.overlap, 12)
        // The tile is cut to the 10-px image, but the overlap clamp used the UI size 96.
        let narrow = try TiledDiffusionGrid(latentWidth: 10, latentHeight: 200, tileWidth: 96, tileHeight: 96, overlap: 48)
        XCTAssertEqual(narrow.tileWidth, 10)
        XCTAssertEqual(narrow.overlap, 48)
        XCTAssertEqual(narrow.cols, 1)
    }

    func testRowsFollowTheCeilFormula() throws {
        // ⌈(200 − 48)/(96 − 48)⌉ = ⌈3.17⌉ = 4 rows, dy = 104/3.
        let grid = try TiledDiffusionGrid(latentWidth: 10, latentHeight: 200, tileWidth: 96, tileHeight: 96, overlap: 48)
        XCTAssertEqual(grid.rows, 4)
        XCTAssertEqual(grid.tiles.map(\.y), [0, 34, 69, 104])
    }

    func testBatchesAreBalancedLikeTheExtension() throws {
        let grid = try TiledDiffusionGrid(latentWidth: 16, latentHeight: 16, tileWidth: 8, tileHeight: 8, overlap: 4)
        XCTAssertEqual(grid.tiles.count, 9)
        // 9 tiles, bs 4 → 3 batches of ⌈9/3⌉ = 3.
        XCTAssertEqual(grid.batches(size: 4), [0..<3, 3..<6, 6..<9])
        XCTAssertEqual(grid.batches(size: 8), [0..<5, 5..<9])
        XCTAssertEqual(grid.batches(size: 1).count, 9)
    }

    func testTileKnowsItsPixelBoxForTheControlNetHint() {
        let tile = LatentTile(x: 34, y: 69, width: 96, height: 80)
        XCTAssertTrue(tile.pixelBox == (272, 552, 768, 640))
    }

    func testGaussianKeepsTheReferenceQuirks() {
        // Values from the reference formula (numpy float64, then float32): y midpoint th/2, y normalised by tw².
        let g = MixtureOfDiffusersWeights.gaussian(tileWidth: 8, tileHeight: 6)
        XCTAssertEqual(g.count, 48)
        XCTAssertEqual(g[0 * 8 + 0], 9.814161e-07, accuracy: 1e-12)
        XCTAssertEqual(g[3 * 8 + 4], 13.091728, accuracy: 1e-5)
        XCTAssertEqual(g[5 * 8 + 7], 4.878833e-05, accuracy: 1e-10)
        XCTAssertEqual(g[0 * 8 + 3], 0.011570814, accuracy: 1e-8)
        let big = MixtureOfDiffusersWeights.gaussian(tileWidth: 96, tileHeight: 96)
        XCTAssertEqual(big[48 * 96 + 47], 15.893922, accuracy: 1e-5)
        // Not symmetric in y (midpoint th/2): the first row is lighter than the last.
        XCTAssertLessThan(big[0], big[95 * 96])
    }

    func testMultiDiffusionAveragesX0WhereTilesOverlap() throws {
        let grid = try TiledDiffusionGrid(latentWidth: 16, latentHeight: 8, tileWidth: 8, tileHeight: 8, overlap: 4)
        XCTAssertEqual(grid.tiles.map(\.x), [0, 4, 8])
        let fusion = LatentTileFusion(grid: grid, method: .multiDiffusion)
        let x = Tensor(shape: [1, 1, 8, 16], repeating: 1)
        // Tile k predicts eps = k + 1 everywhere; with σ = 0.5, x0_tile = 1 − 0.5·(k+1).
        let eps = (0..<3).map { Tensor(shape: [1, 1, 8, 8], repeating: Float($0 + 1)) }
        let x0 = try fusion.denoised(x: x, sigma: 0.5, tileEps: eps)
        XCTAssertEqual(x0.data[2], 0.5)  // tile 0 only
        XCTAssertEqual(x0.data[5], (0.5 + 0) / 2)  // tiles 0 and 1
        XCTAssertEqual(x0.data[9], (0 - 0.5) / 2)  // tiles 1 and 2
        XCTAssertEqual(x0.data[13], -0.5)  // tile 2 only
        XCTAssertEqual(fusion.weightMap[5], 2)
    }

    func testMixtureOfDiffusersFusesEpsWithGaussianWeights() throws {
        let grid = try TiledDiffusionGrid(latentWidth: 12, latentHeight: 8, tileWidth: 8, tileHeight: 8, overlap: 4)
        let fusion = LatentTileFusion(grid: grid, method: .mixtureOfDiffusers)
        let g = MixtureOfDiffusersWeights.gaussian(tileWidth: 8, tileHeight: 8)
        let x = Tensor(shape: [1, 1, 8, 12], repeating: 2)
        let eps = [Tensor(shape: [1, 1, 8, 8], repeating: 1), Tensor(shape: [1, 1, 8, 8], repeating: 3)]
        let x0 = try fusion.denoised(x: x, sigma: 1, tileEps: eps)
        // Cell (row 2, col 6): tile 0 local col 6, tile 1 local col 2.
        let (a, b) = (g[2 * 8 + 6], g[2 * 8 + 2])
        let fused = (1 * a + 3 * b) / (a + b)
        XCTAssertEqual(x0.data[2 * 12 + 6], 2 - fused, accuracy: 1e-6)
        XCTAssertEqual(x0.data[2 * 12 + 1], 2 - 1, accuracy: 1e-6)
    }

    func testFusionRejectsMismatchedInputsWithAClearError() throws {
        let grid = try TiledDiffusionGrid(latentWidth: 12, latentHeight: 8, tileWidth: 8, tileHeight: 8, overlap: 4)
        let fusion = LatentTileFusion(grid: grid, method: .multiDiffusion)
        let x = Tensor(shape: [1, 1, 8, 12], repeating: 0)
        XCTAssertThrowsError(try fusion.denoised(x: x, sigma: 1, tileEps: [x])) {
            XCTAssertTrue("\($0)".contains("1 tile predictions for 2 tiles"), "\($0)")
        }
        XCTAssertThrowsError(try fusion.crops(of: Tensor(shape: [1, 1, 9, 12], repeating: 0))) {
            XCTAssertTrue("\($0)".contains("the grid expects"), "\($0)")
        }
    }

    func testSettingsValidationNamesTheField() {
        var settings = TiledDiffusionSettings.img2imgDefault
        settings.batchSize = 9
        XCTAssertThrowsError(try settings.validate()) { XCTAssertTrue("\($0)".contains("latent tile batch size"), "\($0)") }
        settings = .txt2imgDefault
        settings.tileWidth = 300
        XCTAssertThrowsError(try settings.validate()) { XCTAssertTrue("\($0)".contains("latent tile width"), "\($0)") }
        XCTAssertEqual(try TiledDiffusionSettings.Method(parsing: "mixture"), .mixtureOfDiffusers)
        XCTAssertEqual(try TiledDiffusionSettings.Method(parsing: "MultiDiffusion"), .multiDiffusion)
        XCTAssertThrowsError(try TiledDiffusionSettings.Method(parsing: "demofusion"))
    }
}
