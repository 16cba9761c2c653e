import Foundation
import TesseraImaging
import TesseraPipelines
import TesseraPrompt

/// Runs a `[tiled_diffusion]` upscale job in this process: the same request, plan, session and fusion the cluster
/// uses, with every tile evaluated here. It is the reference the distributed run equals bit for bit.
public enum InProcessLatentDiffusion {
    /// The output image of `spec` for `source`. `renderer` supplies the checkpoints (and its models folder).
    public static func render(source: RGBAImage, spec: UpscaleJobSpec, renderer: DiffusionTileRenderer,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> RGBAImage {
        guard let settings = spec.diffusion, spec.tiledDiffusion != nil else {
            throw ClusterError.invalidParameter(field: "tiled_diffusion", reason: "needs a diffusion upscale job with a [tiled_diffusion] table")
        }
        let pipeline = try renderer.pipeline(for: settings.checkpoint)
        let controlNetPath = try settings.controlNetTile.map { try renderer.resolve($0.model, kind: .controlNet, label: "ControlNet") }
        let job = try LatentDiffusionJob(spec: spec, source: source, controlNetPath: controlNetPath)
        let session = try DiffusionTileRenderer.throwingTileErrors {
            try pipeline.latentTileSession(for: job.request, resolveLoRA: renderer.loraResolver)
        }
        let initLatent = try session.encodeInitImage()
        let latent = try session.plan.sample(evaluator: SessionLatentTileEvaluator(session: session), initLatent: initLatent,
                                             initImage: session.initImage) { step in
            progress?(step.index + 1, step.count)
        }
        return try job.finish(try session.decode(latent))
    }

    /// Renders into a PNG at `path` (atomically, with the job's `parameters` infotext).
    public static func upscale(source: RGBAImage, spec: UpscaleJobSpec, to path: String, renderer: DiffusionTileRenderer,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        let image = try render(source: source, spec: spec, renderer: renderer, progress: progress)
        try LatentDiffusionOutput.write(image, plan: plan, sourceIsOpaque: source.isOpaque, to: path)
    }
}

/// Writes a tiled-diffusion job's output PNG the same way in every code path (so the files match byte for byte).
public enum LatentDiffusionOutput {
    public static func write(_ image: RGBAImage, plan: UpscalePlan, sourceIsOpaque: Bool, to path: String) throws {
        let temp = InProcessUpscaler.temporaryPath(for: path)
        do {
            try image.writePNG(to: temp, format: InProcessUpscaler.outputFormat(sourceIsOpaque: sourceIsOpaque),
                               textChunks: [.parameters(text(plan: plan))])
            try AtomicFile.commit(temporaryPath: temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// The upscale infotext plus the Tiled Diffusion settings (the extension's infotext key).
    public static func text(plan: UpscalePlan) -> String {
        var text = UpscaleInfotext.text(plan: plan, version: TesseraVersion.current)
        if let tiled = plan.spec.tiledDiffusion, let settings = try? tiled.settings() {
            for field in settings.infotextFields { text += ", \(field.key): \(InfotextQuoting.quote(field.value))" }
        }
        return text
    }
}
