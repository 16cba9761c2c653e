import ArgumentParser
import Foundation
import TesseraImageOps
import TesseraImaging
import TesseraPipelines
import TesseraPrompt
import TesseraSampling
import TesseraTerminal

/// Flags shared by `tessera txt2img`, `img2img` and `inpaint`, with A1111's API names.
/// Every setting is optional so that `--params-from` values can be overridden by exactly the
/// flags given; what neither sets takes A1111's UI default.
struct GenerationOptions: ParsableArguments {
    @Option(help: "Prompt (A1111 syntax: (emphasis:1.2), [from:to:when], AND, BREAK, <lora:name:weight>).")
    var prompt: String?
    @Option(name: .customLong("negative-prompt"), help: "Negative prompt.")
    var negativePrompt: String?
    @Option(help: "Sampling steps (default 20).")
    var steps: Int?
    @Option(help: "Sampling method, e.g. \"Euler a\", \"DPM++ 2M\", \"DPM++ 2M Karras\" (default DPM++ 2M).")
    var sampler: String?
    @Option(help: "Schedule type: Automatic, Karras, Exponential, … (default Automatic).")
    var scheduler: String?
    @Option(name: .customLong("cfg-scale"), help: "CFG scale (default 7).")
    var cfgScale: Float?
    @Option(help: "Seed; -1 = random (default).")
    var seed: Int64?
    @Option(help: "Variation seed; -1 = random (default).")
    var subseed: Int64?
    @Option(name: .customLong("subseed-strength"), help: "Variation strength 0…1 (default 0).")
    var subseedStrength: Float?
    @Option(name: .customLong("seed-resize-from-w"), help: "Resize seed from width (0 = off).")
    var seedResizeFromW: Int?
    @Option(name: .customLong("seed-resize-from-h"), help: "Resize seed from height (0 = off).")
    var seedResizeFromH: Int?
    @Option(help: "Width in pixels (default 512).")
    var width: Int?
    @Option(help: "Height in pixels (default 512).")
    var height: Int?
    @Option(name: .customLong("clip-skip"), help: "Clip skip (default 1).")
    var clipSkip: Int?
    @Option(help: "Random number generator source: NV (NVIDIA GPU noise, default) or CPU.")
    var rng: String?
    @Option(help: "Eta 0…1 for the samplers that take it (default: 1 for k-diffusion samplers, 0 for DDIM).")
    var eta: Float?
    @Option(name: [.customLong("eta-noise-seed-delta"), .customLong("ensd")], help: "Eta noise seed delta (ENSD): per-step noise from seed + this (default 0).")
    var etaNoiseSeedDelta: Int64?
    @Option(name: .customLong("controlnet"),
            help: "ControlNet unit: model=NAME,module=none,weight=1,guidance-start=0,guidance-end=1,control-mode=Balanced,image=PATH,pixel-perfect=false (repeatable; replaces the units of --params-from).")
    var controlNets: [String] = []
    @Option(name: .customLong("batch-size"), help: "Batch size: images sampled together, 1…8 (default 1).")
    var batchSize: Int?
    @Option(name: [.customLong("batch-count"), .customLong("n-iter")], help: "Batch count: batches run one after another, 1…100 (default 1).")
    var batchCount: Int?
    @Option(help: "VAE override: a file, or a name in the models folder's VAE folder (default: the checkpoint's own, or the VAE of --params-from).")
    var vae: String?
    @Option(help: "Checkpoint: a path, or a name looked up in the models folder (default: the Model of --params-from).")
    var checkpoint: String?
    @Option(name: .customLong("models-dir"), help: "A1111 or ComfyUI folder holding models/Stable-diffusion, models/Lora, models/ControlNet (or checkpoints/loras/controlnet).")
    var modelsDir: String?
    @Option(name: .customLong("params-from"), help: "PNG whose A1111 parameters to start from (flags given override them).")
    var paramsFrom: String?
    @Option(name: .shortAndLong, help: "Output PNG (default: <command>-<seed>.png).")
    var output: String?

    /// The request: A1111 defaults, then `--params-from`, then the flags given.
    func request(mode: GenerationRequest.Mode) throws -> (GenerationRequest, GenerationParameters?) {
        var request = GenerationRequest()
        request.sampler = GenerationRequest.uiDefaultSampler
        var recorded: GenerationParameters?
        if let paramsFrom {
            do { recorded = try GenerationInfotext.read(fromPNG: paramsFrom) } catch { throw CommandFailure("--params-from: \(error)") }
            request = try GenerationRequest(parameters: recorded!, mode: mode)
        }
        request.mode = mode
        if let prompt { request.prompt = prompt }
        if let negativePrompt { request.negativePrompt = negativePrompt }
        if let steps { request.steps = steps }
        if let sampler { request.sampler = sampler }
        if let scheduler { request.scheduler = scheduler }
        if let cfgScale { request.cfgScale = cfgScale }
        if let seed { request.seed = seed }
        if let subseed { request.subseed = subseed }
        if let subseedStrength { request.subseedStrength = subseedStrength }
        if let seedResizeFromW { request.seedResizeFromWidth = seedResizeFromW }
        if let seedResizeFromH { request.seedResizeFromHeight = seedResizeFromH }
        if let width { request.width = width }
        if let height { request.height = height }
        if let clipSkip { request.clipSkip = clipSkip }
        if let rng { request.rng = try RNGSource(parsing: rng) }
        if let eta { request.eta = eta }
        if let etaNoiseSeedDelta { request.etaNoiseSeedDelta = etaNoiseSeedDelta }
        if !controlNets.isEmpty { request.controlNets = try controlNets.map(ControlNetUnit.init(cliSpec:)) }
        if let batchSize { request.batchSize = batchSize }
        if let batchCount { request.batchCount = batchCount }
        if let vae { request.vae = vae }
        return (request, recorded)
    }

    /// Loads the checkpoint named by `--checkpoint` (or recorded in `--params-from`).
    func pipeline(recorded: GenerationParameters?) throws -> StableDiffusionPipeline {
        let library = modelsDir.map(ModelLibrary.init(root:))
        guard let name = checkpoint ?? recorded?.modelName else {
            throw CommandFailure("--checkpoint: missing; give a checkpoint file, diffusers folder or a name with --models-dir")
        }
        let path: String
        if FileManager.default.fileExists(atPath: name) {
            path = name
        } else if let library {
            path = try library.resolve(.checkpoint, named: name)
        } else {
            throw CommandFailure("--checkpoint: '\(name)' does not exist (give --models-dir to look names up)")
        }
        return StableDiffusionPipeline(model: try StableDiffusionModel(path: path), library: library)
    }

    /// Runs `request` with a per-step progress bar and writes each image as a PNG with its parameters.
    func generate(_ request: GenerationRequest, recorded: GenerationParameters?, label: String) throws {
        try request.validate()
        let pipeline = try pipeline(recorded: recorded)
        let perBatch = request.isImg2Img
            ? try Img2ImgSteps(steps: request.steps, denoisingStrength: request.denoisingStrength, fixSteps: request.fixSteps).stepsRun
            : request.steps
        let bar = ProgressBar.onStandardError(total: perBatch * request.batchCount, label: label, unit: "steps")
        var completed = 0
        let results = try pipeline.generateImages(request) { _ in
            completed += 1
            bar.update(completed: completed)
        }
        bar.finish()
        for (index, result) in results.enumerated() {
            let path = OutputNaming.path(for: index, of: results.count, seed: result.parameters.seed, output: output, label: label)
            try GenerationInfotext.writePNG(result.image, parameters: result.parameters, to: path)
            print("Wrote \(path) (\(result.image.width)x\(result.image.height), seed \(result.parameters.seed))")
        }
    }
}

/// Reads an input PNG as 8-bit RGBA, naming the flag on failure.
func readInputImage(_ path: String, flag: String) throws -> RGBAImage {
    do { return try PNGImage.read(path: path).rgba8 } catch { throw CommandFailure("\(flag): \(error)") }
}
