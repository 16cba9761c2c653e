import TesseraSampling
import TesseraTensor
import XCTest

/// Sigma tables and DDIM timesteps against `cases/schedules/*`.
final class ParityScheduleTests: XCTestCase {
    private let schedule = DiscreteNoiseSchedule.stableDiffusion

    func testModelTablesMatchTheLDMBuffersAndCompVisDenoiser() throws {
        let c = try ReferenceCase("schedules", "kdiffusion_sigmas")
        assertClose(Tensor(shape: [1000], data: schedule.alphasCumprod), try c.input("alphas_cumprod"), tolerance: 1e-6, "alphas_cumprod")
        assertClose(Tensor(shape: [1000], data: schedule.sigmas), try c.input("model_sigmas"), tolerance: 1e-6, "model sigmas")
        XCTAssertEqual(Double(schedule.sigmaMin), c.parameters["sigma_min"] as? Double ?? .nan, accuracy: 1e-7)
        XCTAssertEqual(Double(schedule.sigmaMax), c.parameters["sigma_max"] as? Double ?? .nan, accuracy: 1e-5)
    }

    func testDiscreteKarrasAndExponentialSigmasMatchKDiffusionForEveryStepCount() throws {
        let c = try ReferenceCase("schedules", "kdiffusion_sigmas")
        let ns = try XCTUnwrap(c.parameters["ns"] as? [Int])
        XCTAssertFalse(ns.isEmpty)
        for n in ns {
            for (name, scheduler) in [("discrete", SigmaScheduler.uniform), ("karras", .karras), ("exponential", .exponential)] {
                let ours = try scheduler.sigmas(steps: n, schedule: schedule)
                assertClose(Tensor(shape: [ours.count], data: ours), try c.output("\(name)_n\(n)"), tolerance: 1e-6, "\(name) n=\(n)")
            }
        }
    }

    /// The SDE samplers' Brownian trees resolve sigmas to 6 decimals, so a schedule that is only
    /// close can pick different tree nodes and different noise: the Karras and exponential
    /// tables (A1111's defaults for those samplers) must be torch's float32 values bit for bit.
    func testKarrasAndExponentialSigmasAreBitIdenticalToTorch() throws {
        let c = try ReferenceCase("schedules", "kdiffusion_sigmas")
        for n in try XCTUnwrap(c.parameters["ns"] as? [Int]) {
            for (name, scheduler) in [("karras", SigmaScheduler.karras), ("exponential", .exponential)] {
                let ours = try scheduler.sigmas(steps: n, schedule: schedule)
                XCTAssertEqual(ours.map(\.bitPattern), try c.output("\(name)_n\(n)").data.map(\.bitPattern), "\(name) n=\(n)")
            }
        }
    }

    func testSigmaToTimestepInterpolatesInLogSigmaAndQuantizesToTheNearestStep() throws {
        let c = try ReferenceCase("schedules", "kdiffusion_sigmas")
        let queries = try c.input("sigma_queries")
        let ts = queries.data.map { schedule.timestep(forSigma: $0) }
        assertClose(Tensor(shape: [ts.count], data: ts), try c.output("sigma_to_t"), tolerance: 1e-6, "sigma_to_t")
        let quantized = queries.data.map { Int64(schedule.timestep(forSigma: $0, quantize: true)) }
        XCTAssertEqual(quantized, try c.tensors.integers("output.sigma_to_t_quantized"))
    }

    func testTimestepToSigmaMatchesKDiffusion() throws {
        let c = try ReferenceCase("schedules", "kdiffusion_sigmas")
        let sigmas = try c.input("t_queries").data.map { schedule.sigma(forTimestep: $0) }
        assertClose(Tensor(shape: [sigmas.count], data: sigmas), try c.output("t_to_sigma"), tolerance: 1e-6, "t_to_sigma")
    }

    func testDDIMLeadingTimestepsAndAlphasMatchDiffusers() throws {
        for n in [10, 20] {
            let c = try ReferenceCase("schedules", "ddim_\(n)")
            let plan = try DDIMTimesteps(steps: n)
            XCTAssertEqual(plan.timesteps.map(Int64.init), try c.tensors.integers("output.timesteps"), "timesteps n=\(n)")
            XCTAssertEqual(plan.previousTimesteps.map(Int64.init), try c.tensors.integers("output.prev_timesteps"), "prev n=\(n)")
            assertClose(Tensor(shape: [n], data: plan.alphasCumprod), try c.output("alphas_cumprod_t"), tolerance: 1e-6, "alpha_t n=\(n)")
            assertClose(Tensor(shape: [n], data: plan.alphasCumprodPrevious), try c.output("alphas_cumprod_prev"), tolerance: 1e-6, "alpha_prev n=\(n)")
            let table = DDIMTimesteps.diffusersAlphasCumprod
            assertClose(Tensor(shape: [1000], data: table), try c.output("alphas_cumprod_diffusers"), tolerance: 1e-6, "diffusers table")
        }
    }
}
