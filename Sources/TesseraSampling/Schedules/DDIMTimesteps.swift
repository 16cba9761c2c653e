/// A DDIM timestep plan: which training timesteps the sampler visits and the ᾱ pair each
/// step moves between. Two builders exist because A1111 and diffusers differ:
/// `init(steps:)` is diffusers' `DDIMScheduler` (SD 1.5 config: "leading" spacing,
/// `steps_offset` 1, `set_alpha_to_one` False) and `a1111(grid:)` is A1111's own DDIM.
public struct DDIMTimesteps: Sendable, Equatable {
    /// Timesteps visited, descending (e.g. 901, 801, …, 1 for 10 steps).
    public let timesteps: [Int]
    /// The timestep each step moves to (`t − 1000/steps`; negative means "the end").
    public let previousTimesteps: [Int]
    /// ᾱ at each visited timestep.
    public let alphasCumprod: [Float]
    /// ᾱ at each step's target; for the last step ᾱ_0 (since `set_alpha_to_one` is False).
    public let alphasCumprodPrevious: [Float]

    /// The plan for `steps` steps over `table` (diffusers builds its own float32 table; see
    /// `DDIMTimesteps.diffusersAlphasCumprod`).
    public init(steps: Int, table: [Float] = DDIMTimesteps.diffusersAlphasCumprod, stepsOffset: Int = 1) throws {
        let trainingSteps = table.count
        guard steps >= 1, steps <= trainingSteps else {
            throw SamplingError.invalidParameter(name: "steps", problem: "DDIM needs 1...\(trainingSteps) steps, got \(steps)")
        }
        let ratio = trainingSteps / steps
        timesteps = (0..<steps).reversed().map { $0 * ratio + stepsOffset }
        previousTimesteps = timesteps.map { $0 - ratio }
        alphasCumprod = timesteps.map { table[min($0, trainingSteps - 1)] }
        alphasCumprodPrevious = previousTimesteps.map { $0 >= 0 ? table[$0] : table[0] }
    }

    /// A plan from explicit steps (visited timestep → target timestep) over `table`.
    private init(steps: [(Int, Int)], table: [Float]) {
        timesteps = steps.map(\.0)
        previousTimesteps = steps.map(\.1)
        alphasCumprod = steps.map { table[$0.0] }
        alphasCumprodPrevious = steps.map { $0.1 >= 0 ? table[$0.1] : table[0] }
    }

    /// A1111's DDIM timestep grid (`CompVisSampler.get_timesteps`): `range(0, T, T // steps) + 1`,
    /// clipped to T − 1, ascending; built for `steps + 1` when the penultimate sigma is
    /// discarded. It can hold more than `steps` entries (11 steps → 12 entries).
    public static func a1111Grid(steps: Int, trainingSteps: Int = 1000, discardPenultimate: Bool = false) throws -> [Int] {
        let n = steps + (discardPenultimate ? 1 : 0)
        guard steps >= 1, n <= trainingSteps else {
            throw SamplingError.invalidParameter(name: "steps", problem: "DDIM needs 1...\(trainingSteps) steps, got \(steps)")
        }
        return stride(from: 0, to: trainingSteps, by: trainingSteps / n).map { min($0 + 1, trainingSteps - 1) }
    }

    /// A1111's DDIM walk over an ascending `grid` (`sd_samplers_timesteps_impl.ddim`): from the
    /// top entry down to the SECOND one, each step moving to the entry below, so it makes
    /// `grid.count − 1` model calls and ends at ᾱ of the lowest grid timestep (t = 1), not at
    /// ᾱ_0 as diffusers does. img2img passes the grid's first `t_enc` entries.
    public static func a1111(grid: [Int], table: [Float]) throws -> DDIMTimesteps {
        guard grid.allSatisfy({ (0..<table.count).contains($0) }) else {
            throw SamplingError.invalidParameter(name: "DDIM timesteps", problem: "must lie in 0..<\(table.count)")
        }
        let steps = grid.count < 2 ? [] : (1..<grid.count).reversed().map { (grid[$0], grid[$0 - 1]) }
        return DDIMTimesteps(steps: steps, table: table)
    }

    /// diffusers' `alphas_cumprod` for the SD 1.5 config: betas from a float32 `linspace`
    /// squared in float32, cumulative product accumulated in double and stored as float32
    /// (torch's CPU cumprod accumulates in double).
    public static let diffusersAlphasCumprod: [Float] = {
        let roots = DiscreteNoiseSchedule.linspaceFloat(start: Float(0.00085.squareRoot()), end: Float(0.012.squareRoot()), count: 1000)
        var product = 1.0
        return roots.map { root in
            product *= Double(1 - root * root)
            return Float(product)
        }
    }()
}
