import TesseraTensor
import XCTest

final class LayoutTests: XCTestCase {
    func testTokensRoundTripBackToTheImage() {
        let x = Naive.random([2, 3, 4, 5], seed: 18)
        let tokens = x.imageToTokens()
        XCTAssertEqual(tokens.shape, [2, 20, 3])
        XCTAssertEqual(tokens.data[(1 * 20 + 7) * 3 + 2], x.data[((1 * 3 + 2) * 4 + 1) * 5 + 2])
        XCTAssertEqual(tokens.tokensToImage(height: 4, width: 5), x)
    }

    func testNearestUpsampleRepeatsEachPixelTwiceEachWay() {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        XCTAssertEqual(x.upsampledNearest2x().data, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        XCTAssertEqual(x.upsampledNearest(height: 4, width: 4), x.upsampledNearest2x())
        XCTAssertEqual(x.upsampledNearest(height: 3, width: 2).data, [1, 2, 1, 2, 3, 4])
    }

    func testConcatChannelsKeepsEachImageTogether() {
        let a = Tensor(shape: [2, 1, 1, 2], data: [1, 2, 3, 4]), b = Tensor(shape: [2, 2, 1, 2], data: [5, 6, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(Tensor.concatChannels([a, b]).data, [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12])
    }

    func testPixelUnshuffleOrdersChannelsAsPyTorch() {
        let x = Tensor(shape: [1, 1, 2, 4], data: [0, 1, 2, 3, 4, 5, 6, 7])
        let y = x.pixelUnshuffled(2)
        XCTAssertEqual(y.shape, [1, 4, 1, 2])
        // channel i*2+j holds pixel (2y+i, 2x+j)
        XCTAssertEqual(y.data, [0, 2, 1, 3, 4, 6, 5, 7])
    }
}
