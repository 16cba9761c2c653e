import Foundation
import XCTest
import TesseraCheckpoint

/// Damaged files must be refused with an error or read consistently; never crash. Truncations
/// (every length near the end, where the zip directory and last storage are, sampled elsewhere)
/// and a deterministic set of byte flips are tried on the small fixtures.
final class CorruptionRobustnessTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try FixturePaths.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Opens `data` as a checkpoint and, if that succeeds, reads every tensor.
    func openAndReadAll(_ data: Data, name: String) {
        let url = folder.appendingPathComponent(name)
        try? data.write(to: url)
        guard let archive = try? CheckpointArchive.open(path: url.path) else { return }
        for n in archive.names {
            if let t = try? archive.tensor(n) {
                XCTAssertEqual(t.data.count, t.shape.reduce(1, *), "\(name): \(n)")
                XCTAssertEqual(archive.shape(n), t.shape, "\(name): \(n)")
            }
        }
    }

    func fixtures() throws -> [(String, Data)] {
        try [("tiny_state_dict.ckpt", FixturePaths.fixture("tiny_state_dict.ckpt")), ("tiny_legacy.pth", FixturePaths.fixture("tiny_legacy.pth")),
             ("tiny_zip64.ckpt", FixturePaths.fixture("tiny_zip64.ckpt")), ("loha.safetensors", FixturePaths.model("loha.safetensors"))]
            .map { ($0.0, try Data(contentsOf: URL(fileURLWithPath: $0.1))) }
    }

    func testEveryTruncationIsRefusedOrReadConsistently() throws {
        for (name, data) in try fixtures() {
            let lengths = Set(stride(from: 0, to: data.count, by: 11)).union(max(0, data.count - 80)..<data.count)
            for length in lengths.sorted() { openAndReadAll(data.prefix(length), name: "cut-\(name)") }
        }
    }

    func testByteFlipsNeverCrash() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        for (name, data) in try fixtures() {
            for _ in 0..<100 {
                var damaged = data
                for _ in 0..<(1 + Int(next() % 3)) {
                    let at = Int(next() % UInt64(data.count))
                    damaged[at] = UInt8(truncatingIfNeeded: next())
                }
                openAndReadAll(damaged, name: "flip-\(name)")
            }
        }
    }
}
