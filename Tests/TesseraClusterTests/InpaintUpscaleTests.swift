import Foundation
import TesseraImageOps
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Huge-image inpainting: only the tiles the blurred mask reaches are redrawn; every pixel the blurred mask leaves at 0
/// is the (pre-upscaled) source, unchanged. On the tiny reference models, in one process and on a 2-worker cluster.
final class InpaintUpscaleTests: XCTestCase {
    static let source = ClusterTestSupport.testImage(width: 192, height: 128)

    static var spec: UpscaleJobSpec {
        var spec = USDUUpscaleTests.spec(mode: .feather)
        spec.scale = 1
        spec.inpaint = true
        spec.maskBlur = 4
        return spec
    }

    /// A 12×10 white patch inside the first tile, far from the others' contexts.
    static var mask: GreyImage {
        var mask = GreyImage(width: 192, height: 128)
        for y in 8..<18 { for x in 22..<34 { mask[x, y] = 255 } }
        return mask
    }

    func testOnlyTilesTheBlurredMaskReachesAreRedrawnAndEveryOtherPixelIsUnchanged() throws {
        let plan = try UpscalePlan(spec: Self.spec, sourceWidth: 192, sourceHeight: 128)
        XCTAssertEqual(plan.tileCount, 6)
        XCTAssertEqual(try InpaintTiles.affected(plan: plan.tilePlan, mask: Self.mask, maskBlur: 4), [0])
        let output = try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec, mask: Self.mask)
        let blurred = try MaskBlur(4).apply(Self.mask)
        var changedUnderMask = 0
        for y in 0..<128 {
            for x in 0..<192 {
                if blurred[x, y] == 0 {
                    XCTAssertTrue(output.pixel(x: x, y: y) == Self.source.pixel(x: x, y: y), "pixel (\(x), \(y)) changed")
                } else if output.pixel(x: x, y: y) != Self.source.pixel(x: x, y: y) {
                    changedUnderMask += 1
                }
            }
        }
        XCTAssertGreaterThan(changedUnderMask, 0, "the masked area is redrawn")
    }

    func testAMaskOfTheWrongSizeOrWithoutAnInpaintJobIsOneErrorNamingTheMask() throws {
        XCTAssertThrowsError(try InProcessUpscaler.upscale(
            source: Self.source, spec: Self.spec, mask: GreyImage(width: 10, height: 10))) {
            XCTAssertTrue("\($0)".contains("mask") && "\($0)".contains("192×128"), "\($0)")
        }
        XCTAssertThrowsError(try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec)) {
            XCTAssertTrue("\($0)".contains("mask"), "\($0)")
        }
        var usdu = Self.spec
        usdu.tileMode = .usdu
        XCTAssertThrowsError(try usdu.validate()) { XCTAssertTrue("\($0)".contains("mask"), "\($0)") }
    }

    func testTwoWorkersRenderOnlyTheAffectedTilesAndEqualTheSingleProcessRun() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let workers = try (0..<2).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w\(n)"),
                renderer: RoutingTileRenderer([try DiffusionUpscaleTests.workerRenderer()]),
                logger: ClusterTestSupport.quietLogger)
        }
        workers.forEach { $0.start() }
        defer { workers.forEach { $0.requestStop() }; workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) } }
        let client = try ClusterClient(endpoint: endpoints.client)
        let maskPath = dir + "/mask.png"
        try Self.mask.rgba.writePNG(to: maskPath, format: .rgb8)
        let jobId = try client.submit(
            png: ClusterTestSupport.pngData(Self.source, in: dir), spec: Self.spec, sourceName: "s.png",
            mask: try Data(contentsOf: URL(fileURLWithPath: maskPath)))
        let final = try client.watch(jobId: jobId, giveUpSeconds: 120) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)
        let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: jobId)), name: "output")
        XCTAssertEqual(output.rgba8, try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec, mask: Self.mask))
        let tiles = try FileManager.default.contentsOfDirectory(atPath: JobFolder(stateDir: dir + "/state", jobId: jobId).tilesDirectory)
        XCTAssertEqual(tiles.filter { $0.hasSuffix(".tile") }, ["0.tile"], "tiles the mask does not reach are never rendered")
        XCTAssertTrue(try XCTUnwrap(output.parameters).contains("Tessera inpaint"))

        XCTAssertThrowsError(try client.submit(
            png: ClusterTestSupport.pngData(Self.source, in: dir), spec: Self.spec, sourceName: "s.png")) {
            XCTAssertTrue("\($0)".contains("mask"), "\($0)")
        }
    }
}
