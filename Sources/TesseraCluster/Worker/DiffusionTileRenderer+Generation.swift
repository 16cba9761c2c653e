import TesseraImageOps
import TesseraImaging
import TesseraPipelines

/// Generation jobs (txt2img / img2img / inpaint): the job's one tile is the whole image, rendered exactly as
/// `tessera txt2img|img2img|inpaint` renders it in one process, and returned with its A1111 `parameters` text.
extension DiffusionTileRenderer: GeneratingTileRenderer {
    public func renderWithParameters(_ work: TileWork, progress: TileProgressReporter) throws -> RenderedTile {
        guard let settings = work.plan.spec.generation else {
            return RenderedTile(image: try render(work, progress: progress))
        }
        return try renderGeneration(work, settings: settings, progress: progress)
    }

    func renderGeneration(
        _ work: TileWork, settings: GenerationJobSettings, progress: TileProgressReporter
    ) throws -> RenderedTile {
        guard work.tileIndex == 0, work.source.sourceWidth == work.plan.sourceWidth,
            work.source.sourceHeight == work.plan.sourceHeight
        else {
            throw TileRenderError.invalidParameters(
                "tile \(work.tileIndex) of a \(work.source.sourceWidth)×\(work.source.sourceHeight) source does not match the generation job")
        }
        if settings.mode == .inpaint, work.mask == nil {
            throw TileRenderError.invalidParameters("the inpaint job's tile came without its mask")
        }
        let pipeline = try pipeline(for: settings.checkpoint)
        var request = try Self.throwingTileErrors {
            try settings.request(
                initImage: settings.mode == .txt2img ? nil : try work.source.wholeImage(for: "a generation job"),
                // The coordinator sends the mask as grey (A1111's reading of the mask file); as RGB it reads back
                // to the same values.
                mask: work.mask?.rgba, hints: work.hints,
                controlNetPath: { try self.resolve($0, kind: .controlNet, label: "ControlNet") })
        }
        if let vae = settings.vae, !VAESelection.meansCheckpointVAE(vae) {
            request.vae = try resolve(vae, kind: .vae, label: "VAE")
        }
        return try Self.throwingTileErrors {
            let result = try pipeline.generate(request) { step in
                if progress.isCancelled { throw TileRenderError.cancelled }
                progress.report(Double(step.index + 1) / Double(max(1, step.count)))
            }
            return RenderedTile(image: result.image, parameters: result.parameters.infotext.text)
        }
    }
}
