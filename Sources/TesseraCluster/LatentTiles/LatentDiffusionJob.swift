import TesseraImaging
import TesseraPipelines

/// How an upscale job with `[tiled_diffusion]` becomes one Tiled Diffusion img2img request: the source is
/// pre-upscaled to the target size with the job's classical filter, extended to a multiple of 8, and redrawn with
/// the job's diffusion settings; a Tile ControlNet takes that same pre-upscaled image as its hint. The in-process run
/// and every worker derive the request from the job alone, so they agree on it without exchanging it.
public struct LatentDiffusionJob: Sendable {
    public let request: GenerationRequest
    /// The pre-upscaled image at the target size (before padding to a multiple of 8).
    public let preUpscaled: RGBAImage

    /// `controlNetPath`: the resolved Tile ControlNet model path (nil when the job has none).
    public init(spec: UpscaleJobSpec, source: RGBAImage, controlNetPath: String?) throws {
        let diffusion = try Self.diffusionSettings(of: spec)
        guard let filter = ClassicalUpscaler.filter(named: diffusion.preUpscaler) else {
            throw ClusterError.invalidParameter(field: "diffusion.pre_upscaler", reason: "unknown filter \"\(diffusion.preUpscaler)\"")
        }
        let size = spec.targetSize(sourceWidth: source.width, sourceHeight: source.height)
        preUpscaled = try Resampler.resize(source, width: size.width, height: size.height, filter: filter)
        request = try Self.request(spec: spec, initImage: LatentSizedImage.padded(preUpscaled), controlNetPath: controlNetPath)
    }

    /// The job's sampling plan for a source of this size, without touching pixels: what a coordinator needs.
    public static func plan(spec: UpscaleJobSpec, sourceWidth: Int, sourceHeight: Int) throws -> TiledDiffusionJobPlan {
        let size = spec.targetSize(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        // The plan reads the request's sizes and settings, never the init image's pixels: a 1×1 stand-in marks the
        // request as img2img, and the render size is set as `LatentSizedImage.padded` would make it.
        var request = try request(spec: spec, initImage: try RGBAImage(width: 1, height: 1, pixels: [0, 0, 0, 255]),
                                  controlNetPath: nil)
        request.width = LatentSizedImage.renderSide(size.width)
        request.height = LatentSizedImage.renderSide(size.height)
        return try TiledDiffusionJobPlan(request: request)
    }

    private static func diffusionSettings(of spec: UpscaleJobSpec) throws -> DiffusionUpscaleSettings {
        guard let diffusion = spec.diffusion, spec.tiledDiffusion != nil else {
            throw ClusterError.invalidParameter(field: "tiled_diffusion", reason: "needs a diffusion upscale job with a [tiled_diffusion] table")
        }
        return diffusion
    }

    /// The img2img request for `initImage` (already the render size).
    private static func request(spec: UpscaleJobSpec, initImage: RGBAImage, controlNetPath: String?) throws -> GenerationRequest {
        let diffusion = try diffusionSettings(of: spec)
        var request = GenerationRequest()
        request.mode = .img2img(initImage: initImage)
        request.prompt = diffusion.prompt
        request.negativePrompt = diffusion.negativePrompt
        request.sampler = diffusion.sampler
        request.steps = diffusion.steps
        request.cfgScale = Float(diffusion.cfgScale)
        request.denoisingStrength = diffusion.denoisingStrength
        request.seed = diffusion.seed
        request.width = initImage.width
        request.height = initImage.height
        request.tiledDiffusion = try spec.tiledDiffusion?.settings()
        if let unit = diffusion.controlNetTile, let controlNetPath {
            // The hint is the init image, cropped per latent tile by the tiled model.
            request.controlNets = [try unit.controlNetUnit(path: controlNetPath)]
        }
        return request
    }

    /// The init image at render size as the session uses it (flattened): the renoise mask's input.
    public var initImage: RGBAImage? {
        if case let .img2img(image) = request.mode { return image.flattened() }
        return nil
    }

    /// The decoded render cropped back to the target size with the pre-upscale's alpha.
    public func finish(_ decoded: RGBAImage) throws -> RGBAImage {
        try LatentSizedImage.restore(decoded, to: preUpscaled)
    }
}
