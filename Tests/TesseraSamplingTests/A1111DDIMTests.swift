import TesseraSampling
import TesseraTensor
import XCTest

/// A1111's own DDIM (not diffusers'): grid, walk and img2img start.
final class A1111DDIMTests: XCTestCase {
    private let table = DiscreteNoiseSchedule.stableDiffusion.alphasCumprod

    func testGridIsEveryThousandOverStepsPlusOneAndCanExceedTheStepCount() throws {
        XCTAssertEqual(try DDIMTimesteps.a1111Grid(steps: 8), [1, 126, 251, 376, 501, 626, 751, 876])
        XCTAssertEqual(try DDIMTimesteps.a1111Grid(steps: 11).count, 12)
        // Built for 9: 1000 // 9 = 111 → 0, 111, …, 999 → 10 entries.
        XCTAssertEqual(try DDIMTimesteps.a1111Grid(steps: 8, discardPenultimate: true).count, 10)
        XCTAssertThrowsError(try DDIMTimesteps.a1111Grid(steps: 0))
    }

    func testWalkStopsAtTheLowestGridTimestepWithOneCallFewerThanGridEntries() throws {
        let plan = try DDIMTimesteps.a1111(grid: DDIMTimesteps.a1111Grid(steps: 8), table: table)
        XCTAssertEqual(plan.timesteps, [876, 751, 626, 501, 376, 251, 126])
        XCTAssertEqual(plan.previousTimesteps, [751, 626, 501, 376, 251, 126, 1])
        XCTAssertEqual(plan.alphasCumprodPrevious.last, table[1])

        let x0 = Tensor(shape: [1, 1, 1, 2], data: [0.5, -1])
        let eps = Tensor(shape: [1, 1, 1, 2], data: [1, 0.25])
        let aT = table[876]
        let start = Tensor(shape: x0.shape, data: zip(x0.data, eps.data).map { aT.squareRoot() * $0 + (1 - aT).squareRoot() * $1 })
        var none = NoNoise()
        var seen = [Float]()
        let out = try DDIMSampler().sample(start, plan: plan, model: ClosureNoisePredictor { _, t in seen.append(t); return eps }, noise: &none, progress: nil)
        XCTAssertEqual(seen, [876, 751, 626, 501, 376, 251, 126])
        for k in 0..<2 {
            XCTAssertEqual(out.data[k], table[1].squareRoot() * x0.data[k] + (1 - table[1]).squareRoot() * eps.data[k], accuracy: 1e-4)
        }
    }

    func testImg2ImgWalksTheGridBelowTEncAfterNoisingToGridTEnc() throws {
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .ddim), steps: 10, denoisingStrength: 0.5)
        var timesteps = [Float]()
        let model = ClosureNoisePredictor { x, t in timesteps.append(t); return Tensor(shape: x.shape, repeating: 0) }
        _ = try plan.run(model: model, images: [ImageSeed(seed: 1)], latentShape: [4, 2, 2],
                         initLatent: Tensor(shape: [1, 4, 2, 2], repeating: 0.5))
        // grid 1, 101, …, 901; t_enc 5 → grid[..<5] = 1…401 walked from 401 down: 4 calls.
        XCTAssertEqual(timesteps, [401, 301, 201, 101])
    }

    func testTxt2ImgStartsFromUnitNoiseAndMakesOneCallPerGridStep() throws {
        let plan = SamplingPlan(selection: SamplerSelection(sampler: .ddim), steps: 8)
        var first: Tensor?
        var calls = 0
        let model = ClosureNoisePredictor { x, _ in
            if first == nil { first = x }
            calls += 1
            return Tensor(shape: x.shape, repeating: 0)
        }
        let image = ImageSeed(seed: 77)
        _ = try plan.run(model: model, images: [image], latentShape: [4, 2, 2])
        XCTAssertEqual(calls, 7)
        XCTAssertEqual(first?.data, try NoiseSource().initialNoise(for: image, latentShape: [4, 2, 2]).data)
    }

    func testPLMSWithAConstantEpsMatchesDDIMAndCallsTwiceOnlyInTheFirstStep() throws {
        let plan = try DDIMTimesteps.a1111(grid: DDIMTimesteps.a1111Grid(steps: 10), table: table)
        let eps = Tensor(shape: [1, 1, 1, 2], data: [0.3, -0.7])
        let start = Tensor(shape: [1, 1, 1, 2], data: [1.5, -0.5])
        var timesteps = [Float]()
        let plms = try PLMSSampler().sample(start, plan: plan, model: ClosureNoisePredictor { _, t in timesteps.append(t); return eps }, progress: nil)
        var none = NoNoise()
        let ddim = try DDIMSampler().sample(start, plan: plan, model: ClosureNoisePredictor { _, _ in eps }, noise: &none, progress: nil)
        for k in 0..<2 { XCTAssertEqual(plms.data[k], ddim.data[k], accuracy: 1e-5) }
        XCTAssertEqual(timesteps.count, plan.timesteps.count + 1)
        XCTAssertEqual(Array(timesteps.prefix(3)), [901, 801, 801])
    }

    func testPLMSCombinesPastEpsWithAdamsBashforthWeights() throws {
        // Grid 1, 251, 501, 751 → steps 751→501, 501→251, 251→1; the model answers k on call k.
        let plan = try DDIMTimesteps.a1111(grid: DDIMTimesteps.a1111Grid(steps: 4), table: table)
        var call: Float = 0
        let out = try PLMSSampler().sample(Tensor(shape: [1, 1, 1, 1], data: [0.8]), plan: plan, model: ClosureNoisePredictor { x, _ in
            call += 1
            return Tensor(shape: x.shape, data: [call])
        }, progress: nil)
        func ddim(_ x: Double, _ eps: Double, _ t: Int, _ prev: Int) -> Double {
            let a = Double(table[t]), ap = Double(table[prev])
            return ap.squareRoot() * (x - (1 - a).squareRoot() * eps) / a.squareRoot() + (1 - ap).squareRoot() * eps
        }
        var x = ddim(0.8, (1 + 2) / 2, 751, 501)            // pseudo improved Euler: calls 1, 2
        x = ddim(x, (3 * 3 - 1) / 2, 501, 251)               // call 3; history [1]
        x = ddim(x, (23 * 4 - 16 * 3 + 5 * 1) / 12, 251, 1)  // call 4; history [1, 3]
        XCTAssertEqual(call, 4)
        XCTAssertEqual(Double(out.data[0]), x, accuracy: 1e-4)
    }
}
