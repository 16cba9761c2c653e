import Foundation
import TesseraImaging
import TesseraPipelines
import TesseraTensor

/// The coordinator's sampler for one `[tiled_diffusion]` job, on its own thread: it owns the latent, the sigma
/// schedule, the seeded noise and the sampler (no model), and has every model call's tiles evaluated by the
/// workers through the scheduler, fusing them in grid order. VAE encode and decode are single-tile stages.
///
/// The computation is exactly `InProcessLatentDiffusion`'s, with the tile evaluations moved to workers; tiles are
/// pure functions of their inputs, so the output is the same bit for bit for any worker count or tile order.
struct LatentDiffusionDriver: Sendable {
    let jobId: String
    let spec: UpscaleJobSpec
    let source: RGBAImage
    let outputPath: String
    let board: LatentStageBoard

    /// Stage leases are this many times what a pixel tile of the same size gets (see `LatentStage.leasePixels`).
    static let leaseFactor = 8

    /// Starts the thread.
    func start() {
        let thread = Thread { [self] in
            board.finish(jobId, Result { try run() })
        }
        thread.name = "tessera.latent.\(jobId)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    func run() throws {
        let plan = try LatentDiffusionJob.plan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        let (c, h, w) = (plan.latentShape[0], plan.latentShape[1], plan.latentShape[2])
        let imagePixels = plan.width * plan.height * Self.leaseFactor
        // Upper bound: second-order samplers skip their second call on the last step; PLMS makes one extra call on
        // its first step.
        let sampler = plan.samplingPlan.selection.sampler
        let calls = plan.totalSteps * sampler.modelCallsPerStep + (sampler == .plms ? 1 : 0)
        let inversionSteps = plan.settings.noiseInversion?.steps ?? 0
        let estimate = (plan.samplingPlan.denoisingStrength != nil ? 1 : 0) + (calls + inversionSteps) * plan.fusion.tiles.count + 1
        var initLatent: Tensor?
        if plan.samplingPlan.denoisingStrength != nil {
            let encoded = try board.run(LatentStage(
                jobId: jobId, stage: LatentStageKey.encodeStage, documents: [LatentStageDocument(kind: .encode)],
                inputs: [Data()], resultSizes: [(w, c * h)], leasePixels: imagePixels, jobTileEstimate: estimate))
            initLatent = try LatentWireCodec.tensor(pixels: Data(encoded[0].pixels), shape: [1, c, h, w], what: "encoded init latent")
        }
        let evaluator = RemoteLatentTileEvaluator(jobId: jobId, board: board, tiles: plan.fusion.tiles, channels: c,
                                                  jobTileEstimate: estimate)
        // The renoise mask reads the pre-upscaled image; it is built here (a classical resize) only when needed.
        let renoises = (plan.settings.noiseInversion?.renoiseStrength ?? 0) > 0
        let initImage = try renoises ? LatentDiffusionJob(spec: spec, source: source, controlNetPath: nil).initImage : nil
        let latent = try plan.sample(evaluator: evaluator, initLatent: initLatent, initImage: initImage)
        let target = spec.targetSize(sourceWidth: source.width, sourceHeight: source.height)
        let decoded = try board.run(LatentStage(
            jobId: jobId, stage: LatentStageKey.decodeStage, documents: [LatentStageDocument(kind: .decode)],
            inputs: [LatentWireCodec.bytes(latent.data)], resultSizes: [(target.width, target.height)],
            leasePixels: imagePixels, jobTileEstimate: estimate))
        let upscalePlan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        try LatentDiffusionOutput.write(decoded[0], plan: upscalePlan, sourceIsOpaque: source.isOpaque, to: outputPath)
    }
}

/// Evaluates a round by posting its tiles as one stage and waiting for the workers' eps.
struct RemoteLatentTileEvaluator: LatentTileEvaluator {
    let jobId: String
    let board: LatentStageBoard
    /// The job's evaluated tiles (grid, then regions), in fusion order.
    let tiles: [LatentTile]
    let channels: Int
    let jobTileEstimate: Int

    func evaluate(_ round: LatentTileRound) throws -> [Tensor] {
        let stage = LatentStageKey.stage(of: round)
        let limit = round.kind == .inversion ? LatentStageKey.decodeStage : LatentStageKey.inversionStageBase
        guard stage < limit, round.crops.count < LatentStageKey.maxTiles, round.crops.count == tiles.count else {
            throw ClusterError.invalidParameter(field: "tiled_diffusion", reason: "too many model calls or tiles for the latent stage ids (call \(round.call), \(round.crops.count) tiles)")
        }
        let documents = round.crops.indices.map {
            LatentStageDocument(kind: round.kind == .inversion ? .invert : .denoise, call: round.call,
                                samplingStep: round.samplingStep, sigma: round.sigma,
                                timestep: round.timestep, tile: $0)
        }
        let largest = tiles.map { $0.width * $0.height }.max() ?? 0
        let images = try board.run(LatentStage(
            jobId: jobId, stage: stage, documents: documents, inputs: round.crops.map { LatentWireCodec.bytes($0.data) },
            resultSizes: tiles.map { ($0.width, channels * $0.height) },
            leasePixels: largest * 64 * LatentDiffusionDriver.leaseFactor, jobTileEstimate: jobTileEstimate))
        return try zip(images, tiles).enumerated().map { index, pair in
            try LatentWireCodec.tensor(pixels: Data(pair.0.pixels), shape: [1, channels, pair.1.height, pair.1.width],
                                       what: "eps of latent tile \(index)")
        }
    }
}
