import Foundation
import TesseraImaging
import TesseraPrompt
import TesseraTensor

/// The model half of a Tiled Diffusion job on one loaded pipeline: the init image's latent, every tile's eps for
/// a round, and the final decode. Prepared once per job (text encoding, ControlNet hints) and then asked for
/// tiles in any order and from any thread; each evaluation holds the pipeline's lock, as `generate` does.
public final class LatentTileSession: @unchecked Sendable {
    public let plan: TiledDiffusionJobPlan
    public let model: LatentTileNoiseModel
    private let pipeline: StableDiffusionPipeline
    private let codec: LatentCodec
    /// The img2img init image at render size (also the renoise mask's input).
    public let initImage: RGBAImage?
    /// The prompt's LoRAs, merged into the UNet for each tile evaluation only.
    public let loras: LatentTileLoRAs

    init(pipeline: StableDiffusionPipeline, plan: TiledDiffusionJobPlan, model: LatentTileNoiseModel, initImage: RGBAImage?,
         loras: LatentTileLoRAs) {
        self.pipeline = pipeline
        self.plan = plan
        self.model = model
        self.loras = loras
        self.codec = LatentCodec(vae: pipeline.model.vae)
        self.initImage = initImage
    }

    /// Images above this many pixels go through the tiled VAE (whole-image GroupNorm statistics, bounded
    /// memory); smaller ones through the plain VAE exactly as `generate` does. The choice depends only on the
    /// image size, so every process makes the same one.
    public static let tiledVAEAbovePixels = 1024 * 1024
    /// Tile sizes of the tiled VAE: the extension's CPU defaults (encoder 512 image px, decoder 64 latent px).
    public static let encoderTileSize = 512
    public static let decoderTileSize = 64

    private var usesTiledVAE: Bool { plan.width * plan.height > Self.tiledVAEAbovePixels }

    /// The img2img init latent `[1, 4, h, w]` (VAE posterior mean × 0.18215, as `generate` encodes it).
    public func encodeInitImage() throws -> Tensor {
        guard let initImage else { throw PipelineError("tiled diffusion job", "txt2img has no init image to encode") }
        pipeline.lock.lock(); defer { pipeline.lock.unlock() }
        guard usesTiledVAE else { return try codec.encode(initImage) }
        let pixels = LatentCodec.tensor(from: initImage)
        return try codec.vae.encodeTiled(pixels, tileSize: Self.encoderTileSize).mean * LatentCodec.scalingFactor
    }

    /// The eps of tile `index` for `round` (whose crops are in grid order).
    public func eps(tile index: Int, crop: Tensor, round: LatentTileRound) throws -> Tensor {
        pipeline.lock.lock(); defer { pipeline.lock.unlock() }
        return try loras.withUNetMerged(into: pipeline.model) {
            if round.kind == .inversion {
                return try model.inversionEps(tile: index, crop: crop, timestep: try round.inversionTimestep())
            }
            return try model.eps(tile: index, crop: crop, sigma: round.sigma, timestep: round.timestep, call: round.call,
                                 samplingStep: round.samplingStep).eps
        }
    }

    /// The final latent as 8-bit pixels (A1111's conversion).
    public func decode(_ latent: Tensor) throws -> RGBAImage {
        pipeline.lock.lock(); defer { pipeline.lock.unlock() }
        guard usesTiledVAE else { return try codec.decode(latent) }
        let x = try codec.vae.decodeTiled(latent * (1 / LatentCodec.scalingFactor), tileSize: Self.decoderTileSize)
        return try Self.eightBit(x)
    }

    /// A1111's conversion of the VAE output, the same as `LatentCodec.decode`: `uint8(255·clamp((x+1)/2, 0, 1))`.
    private static func eightBit(_ x: Tensor) throws -> RGBAImage {
        let (h, w) = (x.shape[2], x.shape[3]), plane = h * w
        var pixels = [UInt8](repeating: 255, count: plane * 4)
        for c in 0..<3 {
            for i in 0..<plane {
                let v = min(max((x.data[c * plane + i] + 1) / 2, 0), 1)
                pixels[i * 4 + c] = UInt8(255 * v)
            }
        }
        return try RGBAImage(width: w, height: h, pixels: pixels)
    }
}

/// Evaluates rounds with a session in this process, tile after tile in grid order.
public struct SessionLatentTileEvaluator: LatentTileEvaluator {
    public let session: LatentTileSession

    public init(session: LatentTileSession) { self.session = session }

    public func evaluate(_ round: LatentTileRound) throws -> [Tensor] {
        try round.crops.enumerated().map { try session.eps(tile: $0.offset, crop: $0.element, round: round) }
    }
}

extension StableDiffusionPipeline {
    /// Prepares a Tiled Diffusion job (`request.tiledDiffusion` set, txt2img or img2img) for tile-wise evaluation.
    /// The img2img init image must already be the render size (a multiple of 8 on each side). LoRA tags are
    /// resolved with `resolveLoRA` (name → path; default: this pipeline's models folder) and read now, so a missing
    /// LoRA fails the preparation naming it; they are merged only while this session encodes or evaluates a tile.
    public func latentTileSession(for request: GenerationRequest,
                                  resolveLoRA: ((String) throws -> String)? = nil) throws -> LatentTileSession {
        let plan = try TiledDiffusionJobPlan(request: request, latentChannels: model.unet.configuration.outChannels)
        lock.lock(); defer { lock.unlock() }
        var source = Source()
        switch request.mode {
        case .txt2img:
            break
        case let .img2img(image):
            guard image.width == plan.width, image.height == plan.height else {
                throw PipelineError("init image", "is \(image.width)x\(image.height) but the job renders \(plan.width)x\(plan.height); resize it first")
            }
            let flat = image.flattened()
            source = Source(renderImage: flat, originalImage: flat)
        case .inpaint:
            throw PipelineError("tiled diffusion job", "inpainting is not supported by tiled-diffusion jobs (use img2img)")
        }
        let prompts = try PromptPlan(prompt: request.prompt, negativePrompt: request.negativePrompt, steps: request.steps)
        let loras = try LatentTileLoRAs(prompts.loras, resolve: resolveLoRA ?? LatentTileLoRAs.resolver(library: library))
        let encoder = CachingTextEncoder(
            try TextConditioner(encoder: model.textEncoder, tokenizer: model.tokenizer, clipSkip: request.clipSkip))
        let settings = plan.settings
        let (conditioning, regionConditionings) = try loras.withAllMerged(into: model) {
            (try TileConditioning(prompt: request.prompt, negativePrompt: request.negativePrompt, steps: request.steps,
                                  encode: encoder.encode),
             try TileConditioning.regions(settings.regions, prompt: request.prompt, negativePrompt: request.negativePrompt,
                                          steps: request.steps, encode: encoder.encode))
        }
        let codec = LatentCodec(vae: model.vae)
        let controlNets = try request.controlNets.enumerated().map { index, unit in
            try activeControlNet(unit, index: index, request: request, source: source, width: plan.width, height: plan.height, codec: codec)
        }
        let inpaintConditioning = model.isInpaintingModel
            ? try InpaintingConditioning.tensor(source: source, width: plan.width, height: plan.height, codec: codec,
                                                maskWeight: Float(request.inpaintingMaskWeight)) : nil
        let tileModel = try LatentTileNoiseModel(
            fusion: plan.fusion, unet: model.unet, contexts: conditioning.contexts, controlNets: controlNets,
            inpaintConditioning: inpaintConditioning, cfgScale: request.cfgScale,
            subpromptWeights: conditioning.subpromptWeights, regionConditionings: regionConditionings,
            totalSteps: plan.totalSteps, schedule: plan.samplingPlan.schedule, timer: stageTimer)
        return LatentTileSession(pipeline: self, plan: plan, model: tileModel, initImage: source.renderImage, loras: loras)
    }
}
