import Foundation
import TesseraImageOps
import TesseraImaging
import XCTest
@testable import TesseraCluster

/// Causal (Ultimate SD Upscale) redraw and seams fix passes on the tiny reference models: the cluster, with tiles
/// dispatched in dependency order and their canvases shipped as payloads, equals USDU's sequential run in one
/// process bit for bit.
final class USDUUpscaleTests: XCTestCase {
    static let source = ClusterTestSupport.testImage(width: 64, height: 48)

    static func spec(
        mode: TileMode, order: TileOrder = .linear, seams: SeamsFixType = .none, colorFix: ColorFix = .wavelet,
        controlNet: Bool = false
    ) -> UpscaleJobSpec {
        var spec = DiffusionUpscaleTests.spec(controlNet: controlNet)
        spec.tileMode = mode
        spec.order = order
        spec.seamsFixType = seams
        spec.seamsFixWidth = 32
        spec.diffusion?.steps = 3
        spec.diffusion?.colorFix = colorFix
        return spec
    }

    /// The in-process render of `spec(mode: .usdu)`, computed once: several tests compare against it.
    static let usduLinear = Result { try InProcessUpscaler.upscale(source: source, spec: spec(mode: .usdu)) }

    /// The jobs the cluster test compares: both redraw orders and every seams fix type.
    static let cases: [(String, UpscaleJobSpec)] = [
        // The Tile ControlNet follows each USDU tile's crop box (its hint is the tile's own init image).
        ("usdu linear + controlnet", spec(mode: .usdu, controlNet: true)),
        ("usdu chess + band pass", spec(mode: .usdu, order: .chess, seams: .bandPass)),
        ("feather + half tile", spec(mode: .feather, seams: .halfTile)),
        ("usdu linear + half tile + intersections", spec(mode: .usdu, seams: .halfTileIntersections)),
    ]

    func testAUSDURedrawChangesOnlyPixelsUnderTheTileMasksAndIsDeterministic() throws {
        let spec = Self.spec(mode: .usdu)
        let plan = try UpscalePlan(spec: spec, sourceWidth: 64, sourceHeight: 48)
        XCTAssertEqual(plan.tileCount, 4, "128×96 in 64-pixel USDU tiles: 2 × 2")
        let first = try Self.usduLinear.get()
        XCTAssertEqual(first, try InProcessUpscaler.upscale(source: Self.source, spec: spec))
        let preUpscale = try Resampler.resize(Self.source, width: 128, height: 96, filter: .lanczos)
        XCTAssertNotEqual(first, preUpscale)
        let feathered = try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec(mode: .feather))
        XCTAssertNotEqual(first, feathered, "USDU tiles inpaint the current image; feathered tiles do not")
    }

    func testASeamsFixPassOnlyChangesPixelsInsideItsUnitsChangedRegions() throws {
        let redraw = try Self.usduLinear.get()
        let spec = Self.spec(mode: .usdu, seams: .halfTile)
        let fixed = try InProcessUpscaler.upscale(source: Self.source, spec: spec)
        let plan = try UpscalePlan(spec: spec, sourceWidth: 64, sourceHeight: 48)
        let seamUnits = try XCTUnwrap(plan.causal).units.filter(\.kind.isSeamsFix)
        XCTAssertEqual(seamUnits.count, 4, "2 × 2 tiles: two horizontal-seam and two vertical-seam jobs")
        var changedOutside = 0, changedInside = 0
        for y in 0..<96 {
            for x in 0..<128 {
                let differs = redraw.pixel(x: x, y: y) != fixed.pixel(x: x, y: y)
                if seamUnits.contains(where: { $0.changedRegion.contains(x: x, y: y) }) {
                    if differs { changedInside += 1 }
                } else if differs {
                    changedOutside += 1
                }
            }
        }
        XCTAssertEqual(changedOutside, 0)
        XCTAssertGreaterThan(changedInside, 0)
    }

    func testColourFixIsOnByDefaultRecordedInTheInfotextAndChangesTheResult() throws {
        XCTAssertEqual(DiffusionUpscaleSettings(checkpoint: "m").colorFix, .wavelet)
        let spec = Self.spec(mode: .usdu)
        let plan = try UpscalePlan(spec: spec, sourceWidth: 64, sourceHeight: 48)
        let text = UpscaleInfotext.text(plan: plan, version: "test")
        XCTAssertTrue(text.contains("Color fix: Wavelet"), text)
        XCTAssertTrue(text.contains("Tessera tile mode: USDU"), text)
        XCTAssertTrue(text.contains("Ultimate SD upscale mask_blur: 8"), text)
        let seams = UpscaleInfotext.text(
            plan: try UpscalePlan(spec: Self.spec(mode: .feather, seams: .halfTileIntersections), sourceWidth: 64, sourceHeight: 48),
            version: "test")
        XCTAssertTrue(seams.contains("Tessera seams fix: Half tile offset pass + intersections"), seams)
        XCTAssertTrue(seams.contains("Tessera seams fix denoise: 0.35, Tessera seams fix mask blur: 4, Tessera seams fix padding: 16"), seams)
        let wavelet = try Self.usduLinear.get()
        let none = try InProcessUpscaler.upscale(source: Self.source, spec: Self.spec(mode: .usdu, colorFix: .none))
        XCTAssertNotEqual(wavelet, none)
    }

    func testTheMaskedColourFixLeavesPixelsOutsideTheMaskExactlyAlone() throws {
        var tile = RGBAImage(width: 8, height: 8, fill: (200, 30, 30, 255))
        tile.setPixel(x: 7, y: 7, (10, 250, 10, 255))
        let reference = RGBAImage(width: 8, height: 8, fill: (40, 40, 160, 255))
        var mask = GreyImage(width: 8, height: 8)
        for x in 0..<4 { mask[x, 0] = 255 }
        let fixed = try TileColorFixing.fixed(tile, against: reference, mask: mask, with: .adain)
        XCTAssertEqual(fixed.pixel(x: 7, y: 7).g, 250)
        XCTAssertEqual(fixed.pixel(x: 5, y: 3).r, 200)
        XCTAssertNotEqual(fixed.pixel(x: 0, y: 0).r, 200)
    }

    func testACausalTileWithoutItsCanvasIsRefusedNamingWhatIsMissing() throws {
        let spec = Self.spec(mode: .usdu)
        let plan = try UpscalePlan(spec: spec, sourceWidth: 64, sourceHeight: 48)
        let work = TileWork(jobId: "j", tileIndex: 1, attempt: 0, plan: plan, source: Self.source)
        XCTAssertThrowsError(try DiffusionTileRenderer().render(work, progress: TileProgressReporter())) {
            XCTAssertTrue("\($0)".contains("canvas excerpt"), "\($0)")
        }
    }

    func testTwoWorkersGiveTheSameImagesAsUSDUsSequentialRunBitForBit() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let workers = try (0..<2).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w\(n)"),
                renderer: RoutingTileRenderer([
                    ClassicalTileRenderer(), try DiffusionUpscaleTests.workerRenderer(),
                ]),
                logger: ClusterTestSupport.quietLogger)
        }
        workers.forEach { $0.start() }
        defer { workers.forEach { $0.requestStop() }; workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) } }
        let client = try ClusterClient(endpoint: endpoints.client)
        let png = try ClusterTestSupport.pngData(Self.source, in: dir)
        let jobs = try Self.cases.map { name, spec in (name, spec, try client.submit(png: png, spec: spec, sourceName: "s.png")) }
        for (name, spec, jobId) in jobs {
            let expected = try InProcessUpscaler.upscale(source: Self.source, spec: spec)
            let final = try client.watch(jobId: jobId, giveUpSeconds: 300) { _, _ in }
            XCTAssertEqual(final.state, .done, "\(name): \(final.message)")
            let output = try PNGImage.read(data: [UInt8](client.fetch(jobId: jobId)), name: "output")
            XCTAssertEqual(output.rgba8, expected, name)
            let parameters = try XCTUnwrap(output.parameters)
            XCTAssertTrue(parameters.contains("Tessera seams fix: \(spec.seamsFixType.label)"), parameters)
        }
    }
}
