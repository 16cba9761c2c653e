import Foundation
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// The coordinator keeps `preview.png` (a live tile map) in each job's folder.
final class LivePreviewTests: XCTestCase {
    func testTheFinishedJobsPreviewShowsEveryTileWithItsWorkersBorder() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let source = ClusterTestSupport.testImage(width: 90, height: 70)
        let spec = UpscaleJobSpec(upscaler: "lanczos", scale: 2, tileWidth: 64, padding: 8, order: .chess)
        let expected = try InProcessUpscaler.upscale(source: source, spec: spec)
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)

        let client = try ClusterClient(
            endpoint: ClusterTestSupport.startClassicalCluster(self, dir: dir, workers: 2, threads: 1))
        let jobId = try client.submit(png: ClusterTestSupport.pngData(source, in: dir), spec: spec, sourceName: "t.png")
        XCTAssertEqual(try client.watch(jobId: jobId, giveUpSeconds: 30) { _, _ in }.state, .done)

        // The output is 180×140, below the preview's 1024 px, so the map is 1:1: inside every tile's core (off its
        // 1-pixel border) it shows exactly the upscaled pixels; the borders carry a worker colour.
        let path = dir + "/state/jobs/\(jobId)/preview.png"
        let palette = TileMapPreview.palette.map { [$0.r, $0.g, $0.b] }
        var mismatch = "preview never written"
        let settled = ClusterTestSupport.waitFor(10) {
            guard let preview = try? PNGImage.read(path: path).rgba8 else { return false }
            guard preview.width == expected.width, preview.height == expected.height else {
                mismatch = "preview is \(preview.width)×\(preview.height)"
                return false
            }
            for tile in plan.tilePlan.tiles {
                let core = tile.core
                for y in core.y..<core.maxY {
                    for x in core.x..<core.maxX {
                        let p = preview.pixel(x: x, y: y)
                        let onBorder = x == core.x || y == core.y || x == core.maxX - 1 || y == core.maxY - 1
                        if onBorder {
                            if !palette.contains([p.r, p.g, p.b]) {
                                mismatch = "tile \(tile.index) border at (\(x), \(y)) has no worker colour"
                                return false
                            }
                        } else if !(p == expected.pixel(x: x, y: y)) {
                            mismatch = "tile \(tile.index) differs at (\(x), \(y))"
                            return false
                        }
                    }
                }
            }
            return true
        }
        XCTAssertTrue(settled, mismatch)
    }
}
