import TesseraCheckpoint
import TesseraModels
import TesseraTensor
import XCTest

final class ModelBehaviourTests: XCTestCase {
    func testUNetPreservesLatentShapeForBatchAndOddSides() throws {
        let unet = try UNet(randomWeights: ParameterLoadingTests.tinyUNet)
        let out = try unet(Tensor(shape: [2, 4, 6, 5], repeating: 0.1), timesteps: [10, 900.5],
                           context: Tensor(shape: [2, 7, 16], repeating: 0.2))
        XCTAssertEqual(out.shape, [2, 4, 6, 5])
        XCTAssertTrue(out.data.allSatisfy(\.isFinite))
    }

    func testUNetRejectsContextOfTheWrongWidth() throws {
        let unet = try UNet(randomWeights: ParameterLoadingTests.tinyUNet)
        XCTAssertThrowsError(try unet(Tensor(shape: [1, 4, 4, 4]), timesteps: [1], context: Tensor(shape: [1, 77, 768]))) { error in
            XCTAssertTrue("\(error)".contains("context"), "\(error)")
        }
    }

    func testUNetRejectsControlResidualsOfTheWrongCount() throws {
        let unet = try UNet(randomWeights: ParameterLoadingTests.tinyUNet)
        let control = ControlResiduals(down: [Tensor(shape: [1, 32, 4, 4])], mid: Tensor(shape: [1, 64, 2, 2]))
        XCTAssertThrowsError(try unet(Tensor(shape: [1, 4, 4, 4]), timesteps: [1], context: Tensor(shape: [1, 3, 16]), control: control))
    }

    func testGuessModeScalesRiseLogarithmicallyFromATenthToOne() throws {
        let net = try ControlNet(randomWeights: ParameterLoadingTests.tinyUNet, hintChannels: [16, 32, 32, 32])
        let guess = net.residualScales(mode: .guess, conditioningScale: 0.5)
        XCTAssertEqual(guess.count, 5)
        XCTAssertEqual(guess.first!, 0.05, accuracy: 1e-7)
        XCTAssertEqual(guess.last!, 0.5, accuracy: 1e-7)
        let soft = net.residualScales(mode: .softInjection, conditioningScale: 1)
        XCTAssertEqual(soft[0], 0.825 * 0.825 * 0.825 * 0.825, accuracy: 1e-6)
        XCTAssertEqual(net.residualScales(mode: .balanced, conditioningScale: 0.7), Array(repeating: 0.7, count: 5))
    }

    func testControlNetResidualsHaveTheUNetSkipShapes() throws {
        let net = try ControlNet(randomWeights: ParameterLoadingTests.tinyUNet, hintChannels: [16, 32, 32, 32])
        let r = try net(Tensor(shape: [1, 4, 4, 4]), hint: Tensor(shape: [1, 3, 32, 32], repeating: 0.5), timesteps: [3],
                        context: Tensor(shape: [1, 5, 16]))
        XCTAssertEqual(r.down.map(\.shape), [[1, 32, 4, 4], [1, 32, 4, 4], [1, 32, 2, 2], [1, 64, 2, 2]])
        XCTAssertEqual(r.mid.shape, [1, 64, 2, 2])
    }

    func testEmphasisWithUnitMultipliersChangesNothing() throws {
        let z = Tensor(shape: [1, 3, 2], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try applyEmphasis(z, multipliers: Tensor(shape: [1, 3], repeating: 1)), z)
        let weighted = try applyEmphasis(z, multipliers: Tensor(shape: [1, 3], data: [1, 2, 1]))
        XCTAssertEqual(weighted.data.reduce(0, +), z.data.reduce(0, +), accuracy: 1e-4)
    }

    func testVAERoundTripShapesAndSideCheck() throws {
        let vae = try AutoencoderKL(randomWeights: VAEConfiguration(blockOutChannels: [32, 32], layersPerBlock: 1))
        XCTAssertEqual(vae.downscale, 2)
        let dist = try vae.encode(Tensor(shape: [1, 3, 8, 6], repeating: 0.3))
        XCTAssertEqual(dist.mean.shape, [1, 4, 4, 3])
        XCTAssertEqual(try vae.decode(dist.mean).shape, [1, 3, 8, 6])
        XCTAssertThrowsError(try vae.encode(Tensor(shape: [1, 3, 7, 6])))
    }
}

final class ControlResidualsTests: XCTestCase {
    let residuals = ControlResiduals(down: [Tensor(shape: [2, 1, 1, 2], data: [1, 2, 3, 4])], mid: Tensor(shape: [2, 1], data: [5, 6]))

    func testCFGInjectionZeroesTheUnconditionalSamplesOnly() {
        let masked = residuals.keepingSamples([true, false])
        XCTAssertEqual(masked.down[0].data, [1, 2, 0, 0])
        XCTAssertEqual(masked.mid.data, [5, 0])
    }

    func testScalingMultipliesEachResidualByItsOwnFactor() {
        let scaled = residuals.scaled(by: [0.5, 2])
        XCTAssertEqual(scaled.down[0].data, [0.5, 1, 1.5, 2])
        XCTAssertEqual(scaled.mid.data, [10, 12])
    }

    func testAddingCombinesTwoControlNets() {
        XCTAssertEqual(residuals.adding(residuals).mid.data, [10, 12])
    }
}

final class ControlNetBatchTests: XCTestCase {
    func testOneHintServesTheWholeBatchLikeARepeatedHint() throws {
        let net = try ControlNet(randomWeights: ParameterLoadingTests.tinyUNet, hintChannels: [16, 32, 32, 32])
        let hint = Tensor(shape: [1, 3, 32, 32], data: (0..<3072).map { Float($0 % 17) / 17 })
        let sample = Tensor(shape: [2, 4, 4, 4], data: (0..<128).map { Float($0 % 7) / 7 - 0.5 })
        let context = Tensor(shape: [2, 5, 16], repeating: 0.3)
        let shared = try net(sample, hint: hint, timesteps: [10, 10], context: context)
        let repeated = try net(sample, hint: Tensor.stack([hint, hint]), timesteps: [10, 10], context: context)
        XCTAssertEqual(shared, repeated)
    }
}
