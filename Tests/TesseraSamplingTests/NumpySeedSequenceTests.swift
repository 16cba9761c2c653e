import TesseraSampling
import XCTest

/// numpy's SeedSequence, the seed tree torchsde builds A1111's SDE noise from. Expected words
/// are numpy 2.4's output (the full comparison is in ParityBrownianNoiseTests).
final class NumpySeedSequenceTests: XCTestCase {
    func testPlainAndSpawnedSequencesGiveNumpysWords() throws {
        XCTAssertEqual(try NumpySeedSequence(entropy: 42, poolSize: 24).generateState(3), [387_750_627, 2_536_650_517, 4_078_839_648])
        XCTAssertEqual(try NumpySeedSequence(entropy: 42, spawnKey: [3, 2], poolSize: 24).generateState(2), [2_593_260_554, 3_326_064_702])
    }

    func testTheFirstWordsDoNotDependOnHowManyAreAskedFor() throws {
        let sequence = try NumpySeedSequence(entropy: 7, spawnKey: [1, 1], poolSize: 24)
        XCTAssertEqual(Array(sequence.generateState(10).prefix(4)), sequence.generateState(4))
    }

    func testPoolsSmallerThanNumpysMinimumAreRejected() {
        XCTAssertThrowsError(try NumpySeedSequence(entropy: 1, poolSize: 3)) {
            XCTAssertTrue("\($0)".contains("pool_size"), "\($0)")
        }
    }
}
