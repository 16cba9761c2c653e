import TesseraImageOps
import TesseraImaging
import TesseraPipelines

extension DiffusionTileRenderer {
    /// Renders one causal unit: A1111 "inpaint only masked" (spec §3.2–3.6) on the unit's canvas excerpt with the unit's
    /// mask, padding, blur and render size, original content kept under the mask (USDU forces `inpainting_fill = 1`).
    /// Returns the unit's changed region.
    ///
    /// The excerpt covers the crop box and the blur's reach, so the pipeline, running on the excerpt, computes the same
    /// blurred mask, crop box and composite as on the whole image.
    func renderCausal(
        _ unit: CausalUnit, of causal: CausalPlan, work: TileWork, settings: DiffusionUpscaleSettings,
        filter: ResampleFilter, pipeline: StableDiffusionPipeline, controlNetPath: String?,
        progress: TileProgressReporter
    ) throws -> RGBAImage {
        guard let input = work.input else {
            throw TileRenderError.invalidParameters(
                "tile \(work.tileIndex) is a causal (USDU) tile and needs its canvas excerpt \(unit.window)")
        }
        guard input.width == unit.window.width, input.height == unit.window.height else {
            throw TileRenderError.invalidParameters(
                "canvas excerpt of tile \(work.tileIndex) is \(input.width)×\(input.height), expected \(unit.window)")
        }
        return try Self.throwingTileErrors {
            var request = try Self.request(settings, seedIndex: work.tileIndex, controlNetPath: controlNetPath)
            request.mode = .inpaint(initImage: input, mask: causal.mask(of: unit, in: unit.window).rgba)
            request.inpaintFullRes = true
            request.inpaintFullResPadding = unit.padding
            request.maskBlur = Double(unit.maskBlur)
            request.inpaintingFill = .original
            request.width = unit.renderWidth
            request.height = unit.renderHeight
            if unit.kind.isSeamsFix { request.denoisingStrength = work.plan.spec.seamsFixDenoise }
            let result = try pipeline.generate(request) { step in
                if progress.isCancelled { throw TileRenderError.cancelled }
                progress.report(Double(step.index + 1) / Double(max(1, step.count)))
            }
            let changed = unit.changedRegion
            let local = PixelRect(
                x: changed.x - unit.window.x, y: changed.y - unit.window.y, width: changed.width, height: changed.height)
            let redrawn = try result.image.cropped(to: local)
            let reference = try Resampler.resizeRegion(
                work.source, width: work.plan.outputWidth, height: work.plan.outputHeight, region: changed, filter: filter)
            let mask = try causal.blurredMask(of: unit, in: unit.window).cropped(to: local)
            return try TileColorFixing.fixed(redrawn, against: reference, mask: mask, with: settings.colorFix)
        }
    }
}
