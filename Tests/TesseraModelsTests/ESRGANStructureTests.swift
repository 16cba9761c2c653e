import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

/// ×2 and ×1 RRDBNets (pixel-unshuffled input) have no reference file: their structure is checked here.
final class ESRGANStructureTests: XCTestCase {
    func image(_ h: Int, _ w: Int) -> Tensor {
        Tensor(shape: [1, 3, h, w], data: (0..<(3 * h * w)).map { Float(($0 * 37) % 101) / 101 })
    }

    func testScaleIsInferredFromTheFirstConvolutionsInputChannels() throws {
        for scale in [4, 2, 1] {
            let net = try RRDBNet(randomWeights: RRDBNetConfiguration(features: 4, blocks: 1, growth: 4, scale: scale))
            let inferred = try RRDBNetConfiguration.infer(from: InMemoryWeights(net.parameters))
            XCTAssertEqual(inferred.scale, scale)
            XCTAssertEqual(inferred, net.configuration)
        }
    }

    func testTwoTimesModelUnshufflesThenUpscalesByTwo() throws {
        let net = try RRDBNet(randomWeights: RRDBNetConfiguration(features: 4, blocks: 1, growth: 4, scale: 2))
        XCTAssertEqual(net.parameters["conv_first.weight"].shape, [4, 12, 3, 3])
        XCTAssertEqual(try net.forward(image(8, 6)).shape, [1, 3, 16, 12])
        XCTAssertThrowsError(try net.forward(image(7, 6))) { error in
            XCTAssertTrue("\(error)".contains("divisible by 2"), "\(error)")
        }
    }

    func testOneTimesModelKeepsTheSize() throws {
        let net = try RRDBNet(randomWeights: RRDBNetConfiguration(features: 4, blocks: 1, growth: 4, scale: 1))
        XCTAssertEqual(net.parameters["conv_first.weight"].shape, [4, 48, 3, 3])
        XCTAssertEqual(try net.forward(image(8, 12)).shape, [1, 3, 8, 12])
    }

    func testTiledTwoTimesUpscaleEqualsWholeImageWithEnoughContext() throws {
        let net = try RRDBNet(randomWeights: RRDBNetConfiguration(features: 4, blocks: 1, growth: 4, scale: 2))
        let x = image(20, 14)
        let whole = try net.forward(x)
        let tiled = try net.upscale(x, tile: 6, overlap: 24)
        var maxDiff: Float = 0
        for i in 0..<whole.count { maxDiff = max(maxDiff, abs(whole.data[i] - tiled.data[i])) }
        XCTAssertLessThan(maxDiff, 1e-5)
    }

    func testSmallTilesWithoutContextDifferFromTheWholeImage() throws {
        // Guards the test above: tiling without context must visibly change the result.
        let net = try RRDBNet(randomWeights: RRDBNetConfiguration(features: 4, blocks: 1, growth: 4, scale: 4))
        let x = image(12, 12)
        let whole = try net.forward(x), tiled = try net.upscale(x, tile: 4, overlap: 0)
        XCTAssertNotEqual(whole, tiled)
    }
}
