import Foundation
import TesseraWire
import XCTest

/// Bounded, seeded fuzzing: decode must either succeed with a message that re-encodes to an
/// equal message, or throw a WireError — never trap, hang or allocate wildly.
final class FuzzDecodeTests: XCTestCase {
    private func check(_ frames: [Data], file: StaticString = #filePath, line: UInt = #line) {
        let limits = WireLimits(maxHeaderBytes: 1 << 16, maxPayloadBytes: 1 << 20, maxPayloadFrames: 8)
        guard let message = try? Message.decode(frames, limits: limits) else { return }
        // Whatever decodes must be a valid message the encoder accepts and reproduces.
        do {
            let again = try Message.decode(try message.encode(limits: limits), limits: limits)
            XCTAssertEqual(again, message, file: file, line: line)
        } catch {
            XCTFail("decoded \(message.command.name) but could not re-encode it: \(error)", file: file, line: line)
        }
    }

    func testRandomFramesNeverCrashTheDecoder() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<3000 {
            var frames: [Data] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                var bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                // Give most frames a valid prefix so the fuzzer gets past the signature check.
                if Bool.random(using: &rng), frames.isEmpty {
                    bytes = [0x54, 0x45, 0x53, 0x53, 1, Command.allCases.randomElement(using: &rng)!.rawValue] + bytes
                }
                frames.append(Data(bytes))
            }
            check(frames)
        }
    }

    func testMutatedValidMessagesNeverCrashTheDecoder() throws {
        var rng = SplitMix64(seed: 42)
        let encoded = try SampleMessages.all.map { try $0.encode() } + SampleMessages.all.map { try $0.encode(compression: .none) }
        for _ in 0..<6000 {
            var frames = encoded.randomElement(using: &rng)!
            let frameIndex = Int.random(in: 0..<frames.count, using: &rng)
            var bytes = [UInt8](frames[frameIndex])
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty: // flip a bit
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1 where !bytes.isEmpty: // overwrite a byte with an extreme value
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0, 0xFF, 0x7F, 0x80].randomElement(using: &rng)!
            case 2: // cut
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 3: // insert garbage
                let i = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: i)
            default: // drop or duplicate a frame
                if Bool.random(using: &rng) { frames.remove(at: frameIndex) } else { frames.append(frames[frameIndex]) }
                check(frames)
                continue
            }
            frames[frameIndex] = Data(bytes)
            check(frames)
        }
    }
}
