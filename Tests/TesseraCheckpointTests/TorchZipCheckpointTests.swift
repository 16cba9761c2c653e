import XCTest
import TesseraCheckpoint

/// torch.save zip checkpoints are read through the restricted unpickler: values come out right,
/// including half/bfloat16 storages, shared storages, offsets and strided views.
final class TorchZipCheckpointTests: XCTestCase {
    func testTinyZipCheckpointTensorsDecodeExactly() throws {
        let ckpt = try TorchZipCheckpoint(path: FixturePaths.fixture("tiny_state_dict.ckpt"))
        XCTAssertEqual(ckpt.otherEntries, ["epoch", "global_step"])
        try assertTinyStateDict(ckpt)
    }

    func testZip64RecordsAreFollowed() throws {
        let ckpt = try TorchZipCheckpoint(path: FixturePaths.fixture("tiny_zip64.ckpt"))
        try assertTinyStateDict(ckpt)
    }

    func testTinyLegacyFormatCheckpointTensorsDecodeExactly() throws {
        let ckpt = try CheckpointArchive.open(path: FixturePaths.fixture("tiny_legacy.pth"))
        XCTAssertTrue(ckpt is LegacyTorchCheckpoint)
        try assertTinyStateDict(ckpt)
    }

    func assertTinyStateDict(_ ckpt: any TensorArchive) throws {
        XCTAssertEqual(Set(ckpt.names), ["layer.weight", "layer.half", "layer.bf16", "embeddings.position_ids", "view.transposed", "view.offset", "alpha"])
        let w = try ckpt.tensor("layer.weight")
        XCTAssertEqual(w.shape, [2, 3])
        XCTAssertEqual(w.data, [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(try ckpt.tensor("layer.half").data, [1.5, -2, 65504, Float(sign: .plus, exponent: -24, significand: 1)])
        XCTAssertEqual(ckpt.tensorInfos["layer.half"]?.dtype, .f16)
        XCTAssertEqual(try ckpt.tensor("layer.bf16").data, [1, -3.5, 0.15625])
        XCTAssertEqual(ckpt.tensorInfos["layer.bf16"]?.dtype, .bf16)
        XCTAssertEqual(try ckpt.tensor("embeddings.position_ids").data, (0..<77).map(Float.init))
        let t = try ckpt.tensor("view.transposed")
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertEqual(t.data, [0, 0.75, 0.25, 1, 0.5, 1.25])
        XCTAssertEqual(try ckpt.tensor("view.offset").data, [0.75, 1])
        let alpha = try ckpt.tensor("alpha")
        XCTAssertEqual(alpha.shape, [])
        XCTAssertEqual(alpha.data, [2])
    }

    func testRealESRGANParamsEMAPthGivesTheSameWeightsAsSafetensors() throws {
        let pth = try ESRGANCheckpoint(path: FixturePaths.fixture("rrdbnet_x4_params_ema.pth"))
        let st = try ESRGANCheckpoint(path: FixturePaths.model("esrgan/RRDBNet_x4_basicsr_fp16.safetensors"))
        XCTAssertTrue(pth.archive is TorchZipCheckpoint)
        XCTAssertEqual(pth.weights.names, st.weights.names)
        for name in st.weights.names {
            XCTAssertEqual(try pth.weights.tensor(name), try st.weights.tensor(name), name)
        }
    }

    func testCheckpointArchiveOpensByContentNotExtension() throws {
        XCTAssertTrue(try CheckpointArchive.open(path: FixturePaths.fixture("tiny_state_dict.ckpt")) is TorchZipCheckpoint)
        XCTAssertTrue(try CheckpointArchive.open(path: FixturePaths.model("loha.safetensors")) is SafeTensorsFile)
    }
}
