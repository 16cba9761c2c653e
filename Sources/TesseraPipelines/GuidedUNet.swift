import TesseraModels
import TesseraSampling
import TesseraTensor

/// Text contexts for one model call: one `[1, T, D]` per AND part, and the negative one.
public struct CallContexts: Sendable {
    public var conds: [Tensor]
    public var uncond: Tensor

    public init(conds: [Tensor], uncond: Tensor) {
        self.conds = conds
        self.uncond = uncond
    }
}

/// The UNet as A1111 calls it inside `CFGDenoiser`: the cond rows (one per AND part) and the
/// uncond row in one batched call when their token counts agree, otherwise (A1111's default,
/// `pad_cond_uncond` off) the cond rows and the uncond row in two calls. Text contexts follow
/// the prompt-editing schedule by model-call index; ControlNet residuals are gated by the
/// guidance window; 9-channel inpainting UNets get the mask and masked-image latent appended.
///
/// Use it as the `batchedModel` of `GuidedNoisePredictor`: for a batch of B images the rows are
/// each image's K cond rows, image after image, then the B uncond rows (A1111's layout).
public struct GuidedUNet: @unchecked Sendable {
    public let unet: UNet
    /// Contexts for a model-call index (A1111's `CFGDenoiser.step`, 0 for the first call).
    public let contexts: (Int) throws -> CallContexts
    public let controlNets: [ActiveControlNet]
    /// `[1, 5, h, w]` (mask, masked-image latent) for inpainting UNets; nil for 4-channel UNets.
    public let inpaintConditioning: Tensor?
    public let tracker: SamplingProgressTracker
    /// Benchmark timing of the UNet and ControlNet calls; nil = not timed.
    public let timer: PipelineStageTimer?

    public init(unet: UNet, contexts: @escaping (Int) throws -> CallContexts,
                controlNets: [ActiveControlNet], inpaintConditioning: Tensor?, tracker: SamplingProgressTracker,
                timer: PipelineStageTimer? = nil) {
        self.unet = unet
        self.contexts = contexts
        self.controlNets = controlNets
        self.inpaintConditioning = inpaintConditioning
        self.tracker = tracker
        self.timer = timer
    }

    /// eps for the `[B·(K+1), 4, h, w]` batch (each image's K cond rows, then B uncond rows) at `timestep`.
    public func callAsFunction(_ batch: Tensor, timestep: Float) throws -> Tensor {
        let call = tracker.modelCalls
        tracker.modelCalls += 1
        let contexts = try contexts(call)
        let rows = batch.shape[0], perImage = contexts.conds.count + 1
        guard rows % perImage == 0 else {
            throw PipelineError("guidance batch", "\(rows) rows is not a whole number of images of \(contexts.conds.count) cond contexts + 1 uncond")
        }
        let images = rows / perImage, condRows = rows - images
        // AND parts of different lengths: A1111 repeats the last token vector of the shorter ones.
        let tokens = contexts.conds.map { $0.shape[1] }.max()!
        let conds = contexts.conds.map { repeatingLastToken($0, to: tokens) }
        let imageConds = Array([[Tensor]](repeating: conds, count: images).joined())
        let unconds = [Tensor](repeating: contexts.uncond, count: images)
        let progress = tracker.progressFraction
        let active = controlNets.indices.filter { controlNets[$0].unit.isActive(atProgress: progress) }
        for index in active { tracker.controlNetCalls[index].append(call) }

        if tokens == contexts.uncond.shape[1] {
            return try run(batch, context: concatenate(imageConds + unconds), uncondRows: Set(condRows..<rows), active: active, timestep: timestep)
        }
        let condPart = try run(batch.slice(0..<condRows), context: concatenate(imageConds), uncondRows: [], active: active, timestep: timestep)
        let uncondPart = try run(batch.slice(condRows..<rows), context: concatenate(unconds), uncondRows: Set(0..<images), active: active, timestep: timestep)
        return concatenate([condPart, uncondPart])
    }

    private func run(_ x: Tensor, context: Tensor, uncondRows: Set<Int>, active: [Int], timestep: Float) throws -> Tensor {
        let rows = x.shape[0]
        let timesteps = Array(repeating: timestep, count: rows)
        var control: ControlResiduals?
        for index in active {
            let unit = controlNets[index]
            let hint = concatenate(Array(repeating: unit.hint, count: rows))
            var residuals = try timer.measure(.controlNet) {
                try unit.model(x, hint: hint, timesteps: timesteps, context: context, scales: unit.scales)
            }
            if unit.unit.controlMode.conditionRowsOnly, !uncondRows.isEmpty {
                // cfg injection: uncond rows get no control, so CFG amplifies it.
                residuals = ControlResiduals(down: residuals.down.map { zeroing(uncondRows, of: $0) }, mid: zeroing(uncondRows, of: residuals.mid))
            }
            control = control.map { $0.adding(residuals) } ?? residuals
        }
        let input = inpaintConditioning.map { appendingChannels(x, $0) } ?? x
        guard input.shape[1] == unet.configuration.inChannels else {
            throw PipelineError("UNet input", "the model expects \(unet.configuration.inChannels) input channels, got \(input.shape[1])"
                + (unet.configuration.inChannels == 9 ? " (an inpainting UNet needs an inpaint job)" : ""))
        }
        var eps = try timer.measure(.unet) { try unet(input, timesteps: timesteps, context: context, control: control) }
        for unit in controlNets { if let fix = unit.colorFix { eps = fix.apply(eps: eps, x: x, timestep: timestep, uncondRows: uncondRows) } }
        return eps
    }
}

/// Stacks `[n, …]` tensors along the batch axis.
func concatenate(_ parts: [Tensor]) -> Tensor {
    var shape = parts[0].shape
    shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
    var data: [Float] = []
    data.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for p in parts { data += p.data }
    return Tensor(shape: shape, data: data)
}

private func repeatingLastToken(_ t: Tensor, to tokens: Int) -> Tensor {
    let (n, d) = (t.shape[1], t.shape[2])
    guard n < tokens else { return t }
    var data = t.data
    let last = Array(t.data[((n - 1) * d)..<(n * d)])
    for _ in n..<tokens { data += last }
    return Tensor(shape: [1, tokens, d], data: data)
}

private func zeroing(_ rows: Set<Int>, of t: Tensor) -> Tensor {
    var out = t
    let size = t.count / t.shape[0]
    for r in rows { for i in (r * size)..<((r + 1) * size) { out.data[i] = 0 } }
    return out
}

/// `[N, C, h, w]` + `[1, E, h, w]` (same for every row) → `[N, C+E, h, w]`.
func appendingChannels(_ x: Tensor, _ extra: Tensor) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let e = extra.shape[1], plane = h * w
    var data: [Float] = []
    data.reserveCapacity(n * (c + e) * plane)
    for b in 0..<n {
        data += x.data[(b * c * plane)..<((b + 1) * c * plane)]
        data += extra.data
    }
    return Tensor(shape: [n, c + e, h, w], data: data)
}
