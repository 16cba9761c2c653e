import ArgumentParser
import Foundation
import TesseraImaging
import TesseraModels
import TesseraPipelines
import TesseraSampling

/// `tessera-bench pipeline`: one A1111 img2img job end to end (text encoder, VAE encode, sampler
/// with UNet + ControlNet, VAE decode) on full-size SD1.5 modules with random weights, timed per
/// stage through `PipelineStageTimer`.
struct PipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time an img2img job (default 512x512, 20 steps, denoising 0.5, Euler a, one ControlNet) with random SD1.5 weights.")

    @Option(help: "Image side in pixels (multiple of 8).")
    var size: Int = 512
    @Option(help: "Sampling steps.")
    var steps: Int = 20
    @Option(name: .customLong("denoising-strength"), help: "Denoising strength.")
    var denoisingStrength: Double = 0.5
    @Option(help: "Sampler.")
    var sampler: String = "Euler a"
    @Option(help: "ControlNet preprocessor of the unit.")
    var module: String = "tile_resample"
    @Flag(help: "Run without the ControlNet unit.")
    var noControlnet = false
    @Option(help: "Time this checkpoint instead of random SD1.5 weights (e.g. the tiny reference model for a smoke run).")
    var checkpoint: String?
    @Option(help: "ControlNet file for the unit when --checkpoint is given (default: random SD1.5 ControlNet weights).")
    var controlnet: String?

    func run() throws {
        guard size >= 64, size % 8 == 0 else { throw ValidationError("--size must be a multiple of 8 and at least 64, got \(size)") }
        say("Tessera pipeline benchmark: img2img \(size)x\(size), \(steps) steps, denoising \(denoisingStrength), \(sampler), "
            + (noControlnet ? "no ControlNet" : "one ControlNet (\(module))")
            + "; \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(ProcessUsage.loadAverage())")
        let start = Date()
        let model = try checkpoint.map { try StableDiffusionModel(path: $0) }
            ?? StableDiffusionModel(unet: try UNet(randomWeights: .sd15, seed: 1),
                                    vae: try AutoencoderKL(randomWeights: .sd15, seed: 3),
                                    textEncoder: try CLIPTextEncoder(randomWeights: .sd15, seed: 4),
                                    name: "random-sd15")
        let pipeline = StableDiffusionPipeline(model: model)
        let controlNetName = controlnet ?? "random-controlnet"
        if !noControlnet, controlnet == nil {
            pipeline.preload(controlNet: try ControlNet(randomWeights: .sd15, seed: 2), named: controlNetName)
        }
        say(String(format: "loaded the models (%@) in %.1f s", checkpoint ?? "full-size SD1.5, random weights", Date().timeIntervalSince(start)))

        var request = GenerationRequest()
        request.mode = .img2img(initImage: Self.initImage(size: size))
        request.prompt = "a photograph of a stone bridge over a river, highly detailed"
        request.negativePrompt = "blurry"
        request.steps = steps
        request.sampler = sampler
        request.denoisingStrength = denoisingStrength
        request.seed = 1
        request.width = size
        request.height = size
        if !noControlnet { request.controlNets = [ControlNetUnit(model: controlNetName, module: module)] }

        let timer = PipelineStageTimer()
        pipeline.stageTimer = timer
        var stepsRun = 0
        let cpuStart = ProcessUsage.cpuSeconds()
        _ = try pipeline.generateImages(request) { step in
            stepsRun += 1
            say(String(format: "  step %2d done, UNet + ControlNet time so far %.1f s", stepsRun, timer.seconds(.unet) + timer.seconds(.controlNet)))
        }
        let cpu = ProcessUsage.cpuSeconds() - cpuStart
        let total = timer.seconds(.total)
        say(String(format: "steps run: %d of %d (denoising %.2f); model calls UNet %d, ControlNet %d", stepsRun, steps,
                   denoisingStrength, timer.count(.unet), timer.count(.controlNet)))
        say(String(format: "seconds per step: %.2f (sampling loop %.1f s / %d steps)", timer.seconds(.sampling) / Double(max(stepsRun, 1)),
                   timer.seconds(.sampling), stepsRun))
        let rows: [(String, Double)] = [
            ("text encoder", timer.seconds(.textEncoder)), ("VAE encode", timer.seconds(.vaeEncode)),
            ("UNet", timer.seconds(.unet)), ("ControlNet", timer.seconds(.controlNet)), ("sampler", timer.samplerOnly),
            ("VAE decode", timer.seconds(.vaeDecode)), ("overhead", timer.overhead),
        ]
        for (name, seconds) in rows {
            say(name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " %8.2f s  %5.1f %%", seconds, 100 * seconds / max(total, 1e-9)))
        }
        say(String(format: "total          %8.2f s  (process CPU %.1f s, peak RSS %.2f GB)", total, cpu, ProcessUsage.peakRSSGB()))
    }

    /// A smooth colour field with some structure, so the VAE and preprocessors see an image.
    static func initImage(size: Int) -> RGBAImage {
        var image = RGBAImage(width: size, height: size)
        for y in 0..<size {
            for x in 0..<size {
                image.setPixel(x: x, y: y, (UInt8(x * 255 / size), UInt8(y * 255 / size), UInt8(((x / 32 + y / 32) % 2) * 160 + 40), 255))
            }
        }
        return image
    }
}
