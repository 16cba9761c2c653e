import TesseraModels
import TesseraSampling
import TesseraTensor

/// The job's UNet + ControlNets + CFG restricted to latent tiles: the eps a tile gets at a sigma, with the text
/// contexts repeated per tile and every spatial conditioning cropped to the tile (spec §7.3): ControlNet hints to
/// the tile's pixel box, tile_colorfix origins and inpainting-model conditioning to its latent box. Grid tiles read
/// the job's prompt, region tiles their region's (`prompt, region prompt`).
///
/// The same value serves the in-process run and the cluster workers, so both compute identical tile eps.
public struct LatentTileNoiseModel: @unchecked Sendable {
    public let fusion: LatentTileFusion
    public let unet: UNet
    /// The job's prompt, then one per region.
    public let conditionings: [TileConditioning]
    public let cfgScale: Float
    /// Steps actually run (A1111 `total_sampling_steps`), for the ControlNet guidance window.
    public let totalSteps: Int
    public let schedule: DiscreteNoiseSchedule
    /// Benchmark timing of the UNet and ControlNet calls; nil = not timed.
    public let timer: PipelineStageTimer?
    /// Full-size hints and conditioning, cropped per call (cheap next to the UNet, and no second copy of the hint).
    private let controlNets: [ActiveControlNet]
    private let inpaintConditioning: Tensor?

    /// `controlNets` carry full-size hints; `inpaintConditioning` is the full `[1, 5, h, w]` tensor or nil;
    /// `regionConditionings` has one entry per region of `fusion`.
    public init(fusion: LatentTileFusion, unet: UNet, contexts: @escaping (Int) throws -> CallContexts,
                controlNets: [ActiveControlNet], inpaintConditioning: Tensor?, cfgScale: Float, subpromptWeights: [Float],
                regionConditionings: [TileConditioning] = [],
                totalSteps: Int, schedule: DiscreteNoiseSchedule = .stableDiffusion,
                timer: PipelineStageTimer? = nil) throws {
        let grid = fusion.grid
        let regions = Set(fusion.layers.compactMap(\.region))
        guard regions.count == regionConditionings.count else {
            throw PipelineError("regions", "\(regionConditionings.count) region prompts for \(regions.count) regions")
        }
        self.fusion = fusion
        self.unet = unet
        self.conditionings = [TileConditioning(contexts: contexts, subpromptWeights: subpromptWeights)] + regionConditionings
        self.cfgScale = cfgScale
        self.totalSteps = totalSteps
        self.schedule = schedule
        self.timer = timer
        for (index, unit) in controlNets.enumerated() {
            let (h, w) = (unit.hint.shape[2], unit.hint.shape[3])
            guard h >= grid.latentHeight * 8, w >= grid.latentWidth * 8 else {
                throw PipelineError("ControlNet unit \(index) hint", "is \(w)x\(h), smaller than the \(grid.latentWidth * 8)x\(grid.latentHeight * 8) image")
            }
        }
        self.controlNets = controlNets
        self.inpaintConditioning = inpaintConditioning
    }

    /// The conditioning tile `index` reads.
    private func conditioning(ofTile index: Int) -> TileConditioning {
        conditionings[fusion.layers[index].region.map { $0 + 1 } ?? 0]
    }

    /// The CFG-combined eps for `crop` (tile `index` of the grid) at `sigma`, as model call `call` during sampling step
    /// `samplingStep`; also returns the ControlNet units that ran. With `timestep` set (a DDIM/PLMS round) the crop is
    /// passed unscaled at that timestep, as the timestep samplers call the model, and `sigma` is ignored.
    public func eps(tile index: Int, crop: Tensor, sigma: Float, timestep: Float? = nil, call: Int,
                    samplingStep: Int) throws -> (eps: Tensor, controlNetsRun: [Int]) {
        let tile = try checkedTile(index, crop: crop)
        let tracker = SamplingProgressTracker(totalSteps: totalSteps, controlUnits: controlNets.count)
        tracker.modelCalls = call
        tracker.samplingStep = samplingStep
        let conditioning = conditioning(ofTile: index)
        let guidedUNet = GuidedUNet(unet: unet, contexts: conditioning.contexts, controlNets: tileControlNets(tile),
                                    inpaintConditioning: inpaintConditioning.map { LatentTileFusion.crop($0, to: tile) },
                                    tracker: tracker, timer: timer)
        let guided = GuidedNoisePredictor(scale: cfgScale, subpromptWeights: conditioning.subpromptWeights,
                                          batchedModel: guidedUNet.callAsFunction)
        let eps: Tensor
        if let timestep {
            eps = try guided.predictNoise(crop, timestep: timestep)
        } else {
            // CompVisDenoiser's input scaling and timestep, so a one-tile grid reproduces the untiled run exactly.
            let cIn = 1 / (sigma * sigma + 1).squareRoot()
            var scaled = crop
            for i in scaled.data.indices { scaled.data[i] *= cIn }
            eps = try guided.predictNoise(scaled, timestep: schedule.timestep(forSigma: sigma))
        }
        let ran = tracker.controlNetCalls.indices.filter { !tracker.controlNetCalls[$0].isEmpty }
        return (eps, ran)
    }

    /// Noise inversion's eps for `crop` (already scaled by c_in) at `timestep`: the UNet with the positive prompt
    /// only (the first AND part of the first call's prompt; a region's own prompt for a region tile), no CFG and no
    /// ControlNet, as the extension calls `apply_model` directly; an inpainting UNet still gets its conditioning
    /// cropped to the tile.
    public func inversionEps(tile index: Int, crop: Tensor, timestep: Float) throws -> Tensor {
        let tile = try checkedTile(index, crop: crop)
        let context = try conditioning(ofTile: index).contexts(0).conds[0]
        let input = inpaintConditioning.map { appendingChannels(crop, LatentTileFusion.crop($0, to: tile)) } ?? crop
        guard input.shape[1] == unet.configuration.inChannels else {
            throw PipelineError("UNet input", "the model expects \(unet.configuration.inChannels) input channels, got \(input.shape[1])")
        }
        return try timer.measure(.unet) { try unet(input, timesteps: [timestep], context: context, control: nil) }
    }

    private func checkedTile(_ index: Int, crop: Tensor) throws -> LatentTile {
        guard fusion.tiles.indices.contains(index) else {
            throw PipelineError("tiled diffusion", "tile \(index) is not one of the job's \(fusion.tiles.count) tiles")
        }
        let tile = fusion.tiles[index]
        guard crop.shape.count == 4, crop.shape[0] == 1, crop.shape[2] == tile.height, crop.shape[3] == tile.width else {
            throw PipelineError("tiled diffusion", "tile \(index) crop has shape \(crop.shape), expected [1, C, \(tile.height), \(tile.width)]")
        }
        return tile
    }

    /// The ControlNet units with their hint cropped to the tile's pixel box (and tile_colorfix to its latent box).
    private func tileControlNets(_ tile: LatentTile) -> [ActiveControlNet] {
        controlNets.map { unit in
            let box = tile.pixelBox
            let hint = Self.crop(unit.hint, x: box.x, y: box.y, width: box.width, height: box.height)
            let colorFix = unit.colorFix.map {
                TileColorFix(originLatent: LatentTileFusion.crop($0.originLatent, to: tile), variation: $0.variation,
                             sharpness: $0.sharpness, weight: $0.weight)
            }
            return ActiveControlNet(unit: unit.unit, model: unit.model, hint: hint, colorFix: colorFix)
        }
    }

    /// `[1, C, height, width]` crop at (x, y) of a `[1, C, H, W]` tensor.
    static func crop(_ t: Tensor, x: Int, y: Int, width: Int, height: Int) -> Tensor {
        let (c, h, w) = (t.shape[1], t.shape[2], t.shape[3])
        var data = [Float]()
        data.reserveCapacity(c * width * height)
        for ch in 0..<c {
            for j in 0..<height {
                let start = ch * h * w + (y + j) * w + x
                data += t.data[start..<(start + width)]
            }
        }
        return Tensor(shape: [1, c, height, width], data: data)
    }
}

/// Evaluates rounds in this process, tile after tile in grid order, and keeps the job's progress tracker in step
/// (one model call per round, as the untiled run counts them).
public struct LocalLatentTileEvaluator: LatentTileEvaluator {
    public let model: LatentTileNoiseModel
    public let tracker: SamplingProgressTracker

    public init(model: LatentTileNoiseModel, tracker: SamplingProgressTracker) {
        self.model = model
        self.tracker = tracker
    }

    public func evaluate(_ round: LatentTileRound) throws -> [Tensor] {
        if round.kind == .inversion {
            // Inversion calls the UNet directly: A1111's model-call counter does not move.
            return try round.crops.enumerated().map { index, crop in
                try model.inversionEps(tile: index, crop: crop, timestep: try round.inversionTimestep())
            }
        }
        var out: [Tensor] = []
        var ran = Set<Int>()
        for (index, crop) in round.crops.enumerated() {
            let result = try model.eps(tile: index, crop: crop, sigma: round.sigma, timestep: round.timestep, call: round.call,
                                       samplingStep: round.samplingStep)
            ran.formUnion(result.controlNetsRun)
            out.append(result.eps)
        }
        tracker.modelCalls = round.call + 1
        for unit in ran.sorted() { tracker.controlNetCalls[unit].append(round.call) }
        return out
    }
}
