import TesseraPipelines
import TesseraWire
import XCTest
@testable import TesseraCluster

/// A job names its models; the coordinator only sends its tiles to workers that advertised all of them.
final class ModelRoutingTests: XCTestCase {
    private var rowIds: Int64 = 0
    private func lease(_ key: TileKey, _ worker: String) -> (seconds: Double, attemptRowId: Int64) {
        rowIds += 1
        return (10, rowIds)
    }

    private let checkpoint = ModelRequirement(kind: .checkpoint, reference: "dreamshaper_8")
    private let tile = ModelRequirement(kind: .controlNet, reference: "control_v11f1e_sd15_tile")

    func testAWorkerWithoutTheJobsModelsNeverGetsItsTiles() {
        var s = TileScheduler()
        s.addJob(
            id: "j", priority: 50, seq: 1, renderer: "diffusion", tileCount: 3, pendingInOrder: [0, 1, 2],
            requirements: [checkpoint, tile])
        s.registerWorker(
            id: "lacks-controlnet", renderers: ["diffusion"],
            models: ModelInventory([AdvertisedModel(kind: .checkpoint, name: "dreamshaper_8")]), freeSlots: 8, now: 0)
        XCTAssertTrue(s.dispatch(now: 0, makeLease: lease).isEmpty)
        XCTAssertEqual(s.unmetNeeds(of: "j")?.models, [tile])

        s.registerWorker(
            id: "has-both", renderers: ["diffusion"],
            models: ModelInventory([
                AdvertisedModel(kind: .checkpoint, name: "dreamshaper_8"),
                AdvertisedModel(kind: .controlNet, name: "control_v11f1e_sd15_tile"),
            ]), freeSlots: 8, now: 0)
        let sent = s.dispatch(now: 0, makeLease: lease)
        XCTAssertEqual(Set(sent.map(\.workerId)), ["has-both"])
        XCTAssertEqual(sent.count, 3)
        XCTAssertNil(s.unmetNeeds(of: "j"))
    }

    func testAWorkerThatLosesTheOnlyCapableSessionLeavesTheJobWaitingRatherThanMisrouted() {
        var s = TileScheduler()
        s.addJob(
            id: "j", priority: 50, seq: 1, renderer: "diffusion", tileCount: 1, pendingInOrder: [0],
            requirements: [checkpoint])
        s.registerWorker(
            id: "w", renderers: ["diffusion"], models: ModelInventory([AdvertisedModel(kind: .checkpoint, name: "other")]),
            freeSlots: 1, now: 0)
        XCTAssertTrue(s.dispatch(now: 0, makeLease: lease).isEmpty)
        XCTAssertEqual(s.unmetNeeds(of: "j")?.renderer, nil)
        XCTAssertEqual(s.unmetNeeds(of: "j")?.models.map(\.name), ["dreamshaper_8"])
    }

    func testAnA1111TitleMatchesByHashEvenUnderAnotherFileName() {
        let titled = ModelRequirement(kind: .checkpoint, reference: "v1-5-pruned-emaonly [6ce0161689]")
        XCTAssertEqual(titled.name, "v1-5-pruned-emaonly")
        XCTAssertEqual(titled.hash, "6ce0161689")
        let renamed = ModelInventory([AdvertisedModel(kind: .checkpoint, name: "sd15", hash: "6CE0161689")])
        XCTAssertTrue(renamed.has(titled))
        let sameNameOtherHash = ModelInventory([AdvertisedModel(kind: .checkpoint, name: "sd15", hash: "aaaaaaaaaa")])
        XCTAssertFalse(sameNameOtherHash.has(titled))
        XCTAssertTrue(ModelInventory([AdvertisedModel(kind: .checkpoint, name: "v1-5-pruned-emaonly")]).has(titled))
    }

    func testAPathReferenceIsTheFileStemAndKindsNeverMix() {
        let byPath = ModelRequirement(kind: .lora, reference: "/models/Lora/add_detail.safetensors")
        XCTAssertEqual(byPath.name, "add_detail")
        XCTAssertFalse(ModelInventory([AdvertisedModel(kind: .checkpoint, name: "add_detail")]).has(byPath))
        XCTAssertTrue(ModelInventory([AdvertisedModel(kind: .lora, name: "add_detail")]).has(byPath))
    }

    func testHelloModelNamesCarryTheKindAndBarePrefixlessNamesAreCheckpoints() {
        let lora = AdvertisedModel(kind: .lora, name: "add_detail", hash: "ABC")
        XCTAssertEqual(lora.wire, ModelInfo(name: "lora:add_detail", hash: "abc"))
        XCTAssertEqual(AdvertisedModel(wire: lora.wire), lora)
        XCTAssertEqual(AdvertisedModel(wire: ModelInfo(name: "sd15", hash: "")).kind, .checkpoint)
        // A colon inside a name that is not a kind prefix stays part of the name.
        let odd = AdvertisedModel(wire: ModelInfo(name: "my:model", hash: ""))
        XCTAssertEqual(odd.kind, .checkpoint)
        XCTAssertEqual(odd.name, "my:model")
        for kind in ModelLibrary.Kind.allCases { XCTAssertEqual(ModelLibrary.Kind(wireName: kind.wireName), kind) }
    }

    func testAnUpscaleJobNeedsItsCheckpointControlNetPreUpscalerAndPromptLoRAs() throws {
        let spec = UpscaleJobSpec(
            upscaler: DiffusionUpscaleSettings.rendererName,
            diffusion: DiffusionUpscaleSettings(
                checkpoint: "dreamshaper_8", preUpscaler: "4x-UltraSharp", prompt: "a castle <lora:add_detail:0.5>, sharp",
                controlNetTile: DiffusionControlNetTile(model: "control_v11f1e_sd15_tile")))
        XCTAssertEqual(
            spec.modelRequirements.map(\.description),
            ["checkpoint \"dreamshaper_8\"", "controlnet \"control_v11f1e_sd15_tile\"", "upscaler \"4x-UltraSharp\"",
             "lora \"add_detail\""])
        XCTAssertEqual(spec.tileRendererName, DiffusionUpscaleSettings.rendererName)

        let esrgan = UpscaleJobSpec(upscaler: "4x-ultrasharp")
        XCTAssertEqual(esrgan.tileRendererName, ESRGANTileRenderer.rendererName)
        XCTAssertTrue(ModelInventory([AdvertisedModel(kind: .upscaler, name: "4x-UltraSharp")]).has(esrgan.modelRequirements[0]))
    }

    func testTileShorthandPicksTheReleasedTileModelThenAnyNamedTile() throws {
        XCTAssertEqual(
            try TileControlNetShorthand.choose(from: ["control_v11p_sd15_canny", "control_v11f1e_sd15_tile", "my_tile"]),
            "control_v11f1e_sd15_tile")
        XCTAssertEqual(try TileControlNetShorthand.choose(from: ["zz_Tile_v2", "canny", "a_tile"]), "a_tile")
        XCTAssertThrowsError(try TileControlNetShorthand.choose(from: ["control_v11p_sd15_canny"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("controlnet_tile.model"), text)
            XCTAssertTrue(text.contains("control_v11p_sd15_canny"), text)
        }
    }
}
