import Foundation
import TesseraImageOps
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Ultimate SD Upscale's masks, unit lists and the dependency graph of causal tiles (spec §6.3, §6.4).
final class USDUGeometryTests: XCTestCase {
    static let masks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/usdu-masks").path

    /// A mask written by `Fixtures/usdu-masks/generate.py` with Pillow, as USDU builds it.
    func pillowMask(_ name: String) throws -> GreyImage {
        GreyImage(channel: 0, of: try PNGImage.read(path: Self.masks + "/" + name).rgba8)
    }

    static func spec(
        mode: TileMode = .usdu, order: TileOrder = .linear, seams: SeamsFixType = .none, tile: Int = 64,
        padding: Int = 16, maskBlur: Int = 8
    ) -> UpscaleJobSpec {
        UpscaleJobSpec(
            upscaler: DiffusionUpscaleSettings.rendererName, scale: 2, tileWidth: tile, padding: padding, order: order,
            diffusion: DiffusionUpscaleSettings(checkpoint: "model"), tileMode: mode, maskBlur: maskBlur,
            seamsFixType: seams, seamsFixWidth: 32)
    }

    func testSeamsFixGradientsEqualPillowsMasksPixelForPixel() throws {
        XCTAssertEqual(try USDUGradients.verticalBand(seamWidth: 16, imageHeight: 96), try pillowMask("band_vertical_16x96.png"))
        XCTAssertEqual(try USDUGradients.horizontalBand(seamWidth: 16, imageWidth: 160), try pillowMask("band_horizontal_160x16.png"))
        XCTAssertEqual(try USDUGradients.halfTileRow(tileWidth: 64, tileHeight: 64), try pillowMask("half_tile_row_64.png"))
        XCTAssertEqual(try USDUGradients.halfTileColumn(tileWidth: 64, tileHeight: 64), try pillowMask("half_tile_column_64.png"))
        XCTAssertEqual(try USDUGradients.intersection(tileWidth: 64, tileHeight: 64), try pillowMask("intersection_64.png"))
    }

    func testPillowsRadialGradientIsZeroAtTheCentreAndSaturatesFarOut() {
        let radial = USDUGradients.radial
        XCTAssertEqual(radial[128, 128], 0)
        XCTAssertEqual(radial[129, 128], 1)
        XCTAssertEqual(radial[131, 128], 4)
        XCTAssertEqual(radial[0, 0], 255)
    }

    func testARedrawTileMaskIsTheRectangleWithBothEndCoordinatesIncluded() throws {
        // 80×48 source ×2 = 160×96: three columns, two rows of 64-pixel tiles.
        let plan = try CausalPlan(spec: Self.spec(), width: 160, height: 96, featherTiles: nil)
        let unit = try XCTUnwrap(plan.units.first { $0.kind == .redraw(row: 0, column: 1) })
        XCTAssertEqual(unit.stampRect, PixelRect(x: 64, y: 0, width: 65, height: 65))
        XCTAssertEqual(plan.mask(of: unit, in: PixelRect(x: 0, y: 0, width: 160, height: 96)),
                       try pillowMask("redraw_tile_1_0_160x96.png"))
        XCTAssertEqual([unit.renderWidth, unit.renderHeight], [128, 128], "⌈(64 + 16) / 64⌉ · 64")
        XCTAssertEqual(unit.padding, 16)
        XCTAssertEqual(unit.maskBlur, 8)
    }

    func testTheChangedRegionIsTheBlurredMasksBoundingBoxAndTheCropBoxFollowsA1111() throws {
        let plan = try CausalPlan(spec: Self.spec(), width: 160, height: 96, featherTiles: nil)
        let bounds = PixelRect(x: 0, y: 0, width: 160, height: 96)
        for unit in plan.units {
            // Blurring the whole image gives the same bounding box as the plan's excerpt.
            let whole = try MaskBlur(8).apply(plan.mask(of: unit, in: bounds))
            XCTAssertEqual(whole.nonZeroBoundingBox, unit.changedRegion, "\(unit.kind)")
            XCTAssertEqual(try plan.blurredMask(of: unit, in: unit.window),
                           try whole.cropped(to: unit.window), "\(unit.kind): the excerpt's blur equals the whole image's")
            let crop = try XCTUnwrap(CropRegion.around(whole, padding: 16)).expanded(
                toAspectOf: 128, 128, imageWidth: 160, imageHeight: 96)
            XCTAssertEqual(crop.rect, unit.cropBox, "\(unit.kind)")
            XCTAssertTrue(unit.window.contains(unit.cropBox) && unit.cropBox.contains(unit.changedRegion))
        }
    }

    func testUnitCountsFollowUSDUsJobCountsForEverySeamsFixType() throws {
        // 320×192 output, 64-pixel tiles: 5 columns, 3 rows.
        let (rows, cols) = (3, 5)
        let expected: [SeamsFixType: Int] = [
            .none: 0, .bandPass: rows + cols - 2, .halfTile: rows * (cols - 1) + (rows - 1) * cols,
            .halfTileIntersections: rows * (cols - 1) + (rows - 1) * cols + (rows - 1) * (cols - 1),
        ]
        for (type, seams) in expected {
            let plan = try CausalPlan(spec: Self.spec(seams: type), width: 320, height: 192, featherTiles: nil)
            XCTAssertEqual(plan.units.count, rows * cols + seams, "\(type)")
            XCTAssertEqual(plan.units.filter { !$0.kind.isSeamsFix }.count, rows * cols)
        }
    }

    func testSeamsFixUnitsSitOnTheSeamsWithUSDUsRenderSizesPaddingAndBlur() throws {
        let spec = Self.spec(seams: .halfTileIntersections)
        let plan = try CausalPlan(spec: spec, width: 320, height: 192, featherTiles: nil)
        let row = try XCTUnwrap(plan.units.first { $0.kind == .halfTileRow(row: 0, column: 1) })
        XCTAssertEqual(row.stampRect, PixelRect(x: 64, y: 32, width: 64, height: 64), "(xi·tw, yi·th + th/2)")
        XCTAssertEqual([row.renderWidth, row.renderHeight, row.padding, row.maskBlur], [64, 64, 16, 4])
        let column = try XCTUnwrap(plan.units.first { $0.kind == .halfTileColumn(row: 1, column: 0) })
        XCTAssertEqual(column.stampRect, PixelRect(x: 32, y: 64, width: 64, height: 64), "(xi·tw + tw/2, yi·th)")
        let corner = try XCTUnwrap(plan.units.first { $0.kind == .intersection(row: 1, column: 2) })
        XCTAssertEqual(corner.stampRect, PixelRect(x: 160, y: 96, width: 64, height: 64))
        XCTAssertEqual(corner.padding, 0, "USDU runs the intersections without padding")
        // Order: redraw, then all horizontal-seam jobs, then the vertical ones, then the intersections.
        let kinds = plan.units.map(\.kind)
        let firstColumn = try XCTUnwrap(kinds.firstIndex { if case .halfTileColumn = $0 { return true } else { return false } })
        let lastRow = try XCTUnwrap(kinds.lastIndex { if case .halfTileRow = $0 { return true } else { return false } })
        XCTAssertLessThan(lastRow, firstColumn)

        let band = try CausalPlan(spec: Self.spec(seams: .bandPass), width: 320, height: 192, featherTiles: nil)
        let vertical = try XCTUnwrap(band.units.first { $0.kind == .bandVertical(column: 2) })
        XCTAssertEqual(vertical.stampRect, PixelRect(x: 128 - 16, y: 0, width: 32, height: 192))
        XCTAssertEqual([vertical.renderWidth, vertical.renderHeight, vertical.maskBlur], [32 + 32, 192, 0])
        let horizontal = try XCTUnwrap(band.units.first { $0.kind == .bandHorizontal(row: 1) })
        XCTAssertEqual(horizontal.stampRect, PixelRect(x: 0, y: 64 - 16, width: 320, height: 32))
        XCTAssertEqual([horizontal.renderWidth, horizontal.renderHeight], [320, 32 + 32])
    }

    func testLinearOrderIsRowMajorAndEachTileWaitsForTheNeighboursItOverlaps() throws {
        let plan = try CausalPlan(spec: Self.spec(), width: 192, height: 192, featherTiles: nil)
        XCTAssertEqual(plan.units.map(\.kind), (0..<3).flatMap { y in (0..<3).map { x in .redraw(row: y, column: x) } })
        XCTAssertEqual(plan.units[0].dependencies, [])
        XCTAssertEqual(plan.units[1].dependencies, [0])
        XCTAssertEqual(plan.units[4].dependencies, [0, 1, 2, 3], "the centre tile sees the row above and its left neighbour")
        for unit in plan.units {
            for dependency in unit.dependencies { XCTAssertLessThan(dependency, unit.index) }
            // Every earlier unit that changes pixels in this unit's crop box is a dependency.
            for earlier in plan.units where earlier.index < unit.index {
                XCTAssertEqual(unit.dependencies.contains(earlier.index),
                               !earlier.changedRegion.intersection(unit.cropBox).isEmpty)
            }
        }
    }

    func testChessRunsTheWhiteTilesThenTheBlackOnesAndWhiteTilesNeverWaitForBlackOnes() throws {
        let plan = try CausalPlan(spec: Self.spec(order: .chess, padding: 8, maskBlur: 4), width: 384, height: 384, featherTiles: nil)
        let isWhite: (CausalUnit) -> Bool = {
            guard case let .redraw(row, column) = $0.kind else { return false }
            return (column % 2 == 0) != (row % 2 == 1)
        }
        let whites = plan.units.filter(isWhite).map(\.index), blacks = plan.units.filter { !isWhite($0) }.map(\.index)
        XCTAssertEqual(whites, Array(0..<18))
        XCTAssertEqual(blacks, Array(18..<36))
        for index in whites { XCTAssertTrue(plan.units[index].dependencies.allSatisfy(whites.contains)) }
        // Far-apart white tiles are independent: the first wave holds several tiles that render in parallel.
        let waves = plan.waves
        XCTAssertEqual(waves[0], [0, 1, 2], "the white tiles of the first row are mutually independent")
        XCTAssertGreaterThan(waves.count, 2, "diagonal white tiles overlap (padding, blur, inclusive rectangles)")
        for wave in waves {
            for index in wave { XCTAssertTrue(plan.units[index].dependencies.allSatisfy { !wave.contains($0) }) }
        }
        XCTAssertEqual(waves.flatMap { $0 }.sorted(), Array(0..<36))
    }

    func testFeatheredJobsRunTheirSeamsFixAfterAllFeatheredTilesOnTheFeatheredSeams() throws {
        var spec = Self.spec(mode: .feather, seams: .halfTile)
        spec.feather = 16
        let plan = try UpscalePlan(spec: spec, sourceWidth: 100, sourceHeight: 60)
        let causal = try XCTUnwrap(plan.causal)
        XCTAssertEqual(plan.featherTileCount, plan.tilePlan.tiles.count)
        XCTAssertEqual(plan.tileCount, plan.featherTileCount + causal.units.count)
        let first = causal.units[0]
        XCTAssertEqual(first.index, plan.featherTileCount)
        XCTAssertEqual(Array(first.dependencies.prefix(plan.featherTileCount)), Array(0..<plan.featherTileCount))
        // Half-tile rows are centred on the feathered plan's row boundary.
        let boundary = try XCTUnwrap(plan.tilePlan.rowBoundaries.first)
        XCTAssertEqual(first.stampRect.y, boundary - 32)
        XCTAssertEqual(plan.renderRect(first.index), first.changedRegion)
    }

    func testTheSchedulerNeverHandsOutATileBeforeItsDependenciesAreDone() throws {
        let plan = try UpscalePlan(spec: Self.spec(order: .chess, seams: .halfTileIntersections), sourceWidth: 96, sourceHeight: 96)
        var scheduler = TileScheduler()
        scheduler.addJob(
            id: "j", priority: 50, seq: 1, renderer: "diffusion", tileCount: plan.tileCount,
            pendingInOrder: plan.dispatchOrder, dependencies: plan.dependencyMap)
        for n in 0..<3 { scheduler.registerWorker(id: "w\(n)", renderers: ["diffusion"], freeSlots: 0, now: 0) }
        var done: Set<Int> = []
        var rng = SystemRandomNumberGenerator()
        var inFlight: [(String, TileKey)] = []
        var rounds = 0
        while done.count < plan.tileCount && rounds < 1000 {
            rounds += 1
            for n in 0..<3 where scheduler.credits(of: "w\(n)") == 0 { scheduler.addCredits(worker: "w\(n)", 1, now: 0) }
            for assignment in scheduler.dispatch(now: 0, makeLease: { _, _ in (30, 0) }) {
                XCTAssertTrue(plan.dependencies(of: assignment.key.index).allSatisfy(done.contains),
                              "tile \(assignment.key.index) dispatched before its dependencies")
                inFlight.append((assignment.workerId, assignment.key))
            }
            // Finish a random one of the running tiles.
            guard !inFlight.isEmpty else { continue }
            let (worker, key) = inFlight.remove(at: Int.random(in: 0..<inFlight.count, using: &rng))
            XCTAssertTrue(scheduler.complete(key, worker: worker).isNew)
            done.insert(key.index)
        }
        XCTAssertEqual(done.count, plan.tileCount)
    }

    func testBadSettingsGiveOneErrorNamingTheField() throws {
        func field(_ change: (inout UpscaleJobSpec) -> Void) -> String? {
            var spec = Self.spec()
            change(&spec)
            do {
                try spec.validate()
                return nil
            } catch ClusterError.invalidParameter(let field, _) {
                return field
            } catch {
                return "\(error)"
            }
        }
        XCTAssertNil(field { _ in })
        XCTAssertEqual(field { $0.maskBlur = 65 }, "mask_blur")
        XCTAssertEqual(field { $0.seamsFixDenoise = 0 }, "seams_fix_denoise")
        XCTAssertEqual(field { $0.seamsFixWidth = 0; $0.seamsFixType = .bandPass }, "seams_fix_width")
        XCTAssertEqual(field { $0.seamsFixMaskBlur = -1 }, "seams_fix_mask_blur")
        XCTAssertEqual(field { $0.seamsFixPadding = 129 }, "seams_fix_padding")
        XCTAssertEqual(field { $0.upscaler = "lanczos"; $0.diffusion = nil }, "tile_mode")
        XCTAssertEqual(field { $0.upscaler = "lanczos"; $0.diffusion = nil; $0.tileMode = .feather; $0.seamsFixType = .halfTile },
                       "seams_fix_type")
        // A band narrower than Stable Diffusion can render is refused at planning time, naming the setting.
        var narrow = Self.spec(seams: .bandPass)
        narrow.seamsFixWidth = 16
        narrow.seamsFixPadding = 8
        XCTAssertThrowsError(try UpscalePlan(spec: narrow, sourceWidth: 64, sourceHeight: 64)) {
            XCTAssertTrue("\($0)".contains("seams_fix_width"), "\($0)")
        }
        XCTAssertThrowsError(try TileMode(parsing: "zigzag")) { XCTAssertTrue("\($0)".contains("tile_mode"), "\($0)") }
        XCTAssertThrowsError(try SeamsFixType(parsing: "4")) { XCTAssertTrue("\($0)".contains("seams_fix_type"), "\($0)") }
        XCTAssertThrowsError(try DiffusionUpscaleSettings.parseColorFix("purple")) {
            XCTAssertTrue("\($0)".contains("color_fix"), "\($0)")
        }
    }

    func testSeamsFixTypesAcceptUSDUsNumbersAndTheCommandLineNames() throws {
        XCTAssertEqual(try (0...3).map { try SeamsFixType(parsing: "\($0)") }, SeamsFixType.allCases)
        XCTAssertEqual(try SeamsFixType(parsing: "half-tile+intersections"), .halfTileIntersections)
        XCTAssertEqual(try SeamsFixType(parsing: "band_pass"), .bandPass)
        XCTAssertEqual(try SeamsFixType(parsing: "Half tile offset pass"), .halfTile)
    }

    func testAJobFileCarriesTheUSDUKeysAndRejectsABadValueNamingIt() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let path = dir + "/job.toml"
        func write(_ extra: String) throws {
            try """
                input = "in.png"
                [job]
                upscaler = "diffusion"
                tile_width = 64
                tile_mode = "usdu"
                redraw_mode = "chess"
                \(extra)
                [job.diffusion]
                checkpoint = "checkpoint_ldm"
                color_fix = "adain"
                """.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write("mask_blur = 6\nseams_fix_type = 3\nseams_fix_width = 32\nseams_fix_denoise = 0.3\nseams_fix_mask_blur = 2\nseams_fix_padding = 8")
        let spec = try JobFile.load(path: path).spec
        XCTAssertEqual(spec.tileMode, .usdu)
        XCTAssertEqual(spec.order, .chess)
        XCTAssertEqual(spec.maskBlur, 6)
        XCTAssertEqual(spec.seamsFixType, .halfTileIntersections)
        XCTAssertEqual([spec.seamsFixWidth, spec.seamsFixMaskBlur, spec.seamsFixPadding], [32, 2, 8])
        XCTAssertEqual(spec.seamsFixDenoise, 0.3)
        XCTAssertEqual(spec.diffusion?.colorFix, .adain)
        let decoded = try JSONDecoder().decode(UpscaleJobSpec.self, from: JSONEncoder().encode(spec))
        XCTAssertEqual(decoded, spec, "the TILE parameter document round-trips")

        try write("seams_fix_type = \"diagonal\"")
        XCTAssertThrowsError(try JobFile.load(path: path)) { XCTAssertTrue("\($0)".contains("seams_fix_type"), "\($0)") }
        try write("seams_fix_denoise = 1.5")
        XCTAssertThrowsError(try JobFile.load(path: path)) { XCTAssertTrue("\($0)".contains("seams_fix_denoise"), "\($0)") }
    }
}
