import TesseraImageOps
import TesseraImaging
import TesseraPipelines

extension DiffusionTileRenderer {
    /// Renders one tile of an inpaint job: A1111 "whole picture" inpainting of the tile's pre-upscaled context with
    /// the whole-image blurred mask inside it (spec §3.3–3.6, original content under the mask), colour-fixed with the
    /// mask as weight. Pixels where the blurred mask is 0 come back as the pre-upscaled context exactly.
    func renderInpaint(
        _ work: TileWork, settings: DiffusionUpscaleSettings, filter: ResampleFilter, pipeline: StableDiffusionPipeline,
        controlNetPath: String?, progress: TileProgressReporter
    ) throws -> RGBAImage {
        let tile = work.plan.tilePlan.tiles[work.tileIndex]
        guard let excerpt = work.mask else {
            throw TileRenderError.invalidParameters("tile \(work.tileIndex) of an inpaint job needs its mask excerpt")
        }
        let mask: GreyImage
        do {
            mask = try InpaintTiles.blurredContextMask(
                excerpt, tile: tile, plan: work.plan.tilePlan, maskBlur: work.plan.spec.maskBlur)
        } catch { throw TileRenderError.invalidParameters("\(error)") }
        return try Self.throwingTileErrors {
            let context = try ResamplingTileRenderer(window: work.source, filter: filter).render(tile, of: work.plan.tilePlan)
            let initImage = LatentSizedImage.padded(context)
            var request = try Self.request(settings, seedIndex: work.tileIndex, controlNetPath: controlNetPath)
            // The mask is already blurred over the whole image; a second blur here would see only the tile.
            request.mode = .inpaint(initImage: initImage, mask: LatentSizedImage.padded(mask.rgba))
            request.maskBlur = 0
            request.inpaintFullRes = false
            request.inpaintingFill = .original
            request.width = initImage.width
            request.height = initImage.height
            let result = try pipeline.generate(request) { step in
                if progress.isCancelled { throw TileRenderError.cancelled }
                progress.report(Double(step.index + 1) / Double(max(1, step.count)))
            }
            let restored = try LatentSizedImage.restore(result.image, to: context)
            return try TileColorFixing.fixed(restored, against: context, mask: mask, with: settings.colorFix)
        }
    }
}
