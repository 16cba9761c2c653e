import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Seam visibility of upscaled sample photos: `SeamMetric` at the tile borders of the tiled result, relative to the same
/// metric of the untiled pre-upscale at the same borders (a photo's own edges can lie on a border; the ratio takes them
/// out, so 1 = the tiling added nothing). The feathered default is checked; the seams fix modes are reported (their
/// redraw uses the tiny random-weight models, whose noise says nothing about how well a real model hides seams, so
/// there is no bound to check for them).
final class SeamMetricReportTests: XCTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tiles/samples").path

    func sample(_ name: String) throws -> RGBAImage { try PNGImage.read(path: Self.samples + "/" + name).rgba8 }

    func testTheFeatheredClassicalUpscaleOfEverySamplePhotoHasInvisibleSeams() throws {
        for name in ["chelsea.png", "coffee.png", "astronaut.png"] {
            let source = try sample(name)
            let spec = UpscaleJobSpec(upscaler: "lanczos", scale: 2, tileWidth: 256, padding: 32)
            let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
            let image = try InProcessUpscaler.upscale(source: source, spec: spec)
            let untiled = try Resampler.resize(source, width: plan.outputWidth, height: plan.outputHeight, filter: .lanczos)
            let ratio = SeamMetric.measure(image, plan: plan.tilePlan).ratio / SeamMetric.measure(untiled, plan: plan.tilePlan).ratio
            print("seam metric \(name) ×2 feathered lanczos (tile 256, padding 32), relative to untiled: \(String(format: "%.4f", ratio))")
            XCTAssertLessThanOrEqual(ratio, 1.02, name)
        }
    }

    func testReportsTheSeamMetricOfEverySeamsFixMode() throws {
        // A 96×64 crop of chelsea.png ×2 in 64-pixel tiles: 3 × 2 tiles, 3 seams.
        let source = try sample("chelsea.png").cropped(to: PixelRect(x: 180, y: 100, width: 96, height: 64))
        for mode in [TileMode.feather, .usdu] {
            for seams in SeamsFixType.allCases {
                let spec = USDUUpscaleTests.spec(mode: mode, seams: seams)
                let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
                let image = try InProcessUpscaler.upscale(source: source, spec: spec)
                let columns = mode == .usdu ? [64, 128] : plan.tilePlan.columnBoundaries
                let rows = mode == .usdu ? [64] : plan.tilePlan.rowBoundaries
                let untiled = try Resampler.resize(source, width: plan.outputWidth, height: plan.outputHeight, filter: .lanczos)
                let ratio = SeamMetric.measure(image, columnBorders: columns, rowBorders: rows).ratio
                    / SeamMetric.measure(untiled, columnBorders: columns, rowBorders: rows).ratio
                print("seam metric chelsea crop ×2 \(mode.rawValue) + seams fix \(seams.flagName) (tiny random-weight models), "
                      + "relative to untiled: " + String(format: "%.4f", ratio))
                XCTAssertTrue(ratio.isFinite && ratio > 0, "\(mode) \(seams): \(ratio)")
            }
        }
    }
}
