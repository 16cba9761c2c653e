import TesseraImaging

/// The canvas side of causal (USDU / seams fix) jobs, shared by the single-process driver and the coordinator so both
/// build the same base image, the same tile inputs and the same output.
public enum CausalUpscale {
    /// The image the first unit redraws: the pre-upscaled source in `usdu` mode, otherwise the feathered redraw of
    /// the job's parallel tiles (rendered, or read back, by `featherTiles`).
    public static func baseImage(
        plan: UpscalePlan, source: RGBAImage, featherTiles: @autoclosure () throws -> any TileRenderer
    ) throws -> RGBAImage {
        guard let causal = plan.causal else {
            throw ClusterError.invalidParameter(field: "tile_mode", reason: "the job has no causal tiles")
        }
        if causal.featherTileCount == 0 {
            let name = plan.spec.diffusion?.preUpscaler ?? plan.spec.upscaler
            guard let filter = ClassicalUpscaler.filter(named: name) else {
                throw ClusterError.invalidParameter(field: "pre_upscaler", reason: "unknown upscaler \"\(name)\"")
            }
            return try Resampler.resize(source, width: plan.outputWidth, height: plan.outputHeight, filter: filter)
        }
        return try TiledUpscale(plan: plan.tilePlan).renderImage(renderer: try featherTiles())
    }

    /// The input of `unit`: `base` inside the unit's window with the results of its causal dependencies pasted in
    /// index order. `result(i)` returns tile i's changed-region pixels.
    public static func input(
        for unit: CausalUnit, plan: UpscalePlan, base: (PixelRect) throws -> RGBAImage,
        result: (Int) throws -> RGBAImage
    ) throws -> RGBAImage {
        var canvas = try base(unit.window)
        for dependency in unit.dependencies where dependency >= plan.featherTileCount {
            let region = plan.renderRect(dependency)
            guard !region.intersection(unit.window).isEmpty else { continue }
            canvas.paste(try result(dependency), x: region.x - unit.window.x, y: region.y - unit.window.y)
        }
        return canvas
    }

    /// The finished image: `base` with every unit's result pasted in index order.
    public static func compose(plan: UpscalePlan, base: RGBAImage, result: (Int) throws -> RGBAImage) throws -> RGBAImage {
        var image = base
        for unit in plan.causal?.units ?? [] {
            let region = unit.changedRegion
            image.paste(try result(unit.index), x: region.x, y: region.y)
        }
        return image
    }

    /// Runs a causal job in this process the way Ultimate SD Upscale does: one unit after another, each reading the
    /// current image. (The cluster gives each unit only its dependencies instead; both agree pixel for pixel.)
    static func render(
        plan: UpscalePlan, source: RGBAImage, renderer: any WorkerTileRenderer,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> RGBAImage {
        let adapter = WorkerRendererAdapter(renderer: renderer, plan: plan, source: source)
        var canvas = try baseImage(plan: plan, source: source, featherTiles: adapter)
        var done = plan.featherTileCount
        progress(done, plan.tileCount)
        for unit in plan.causal?.units ?? [] {
            let work = TileWork(
                jobId: "in-process", tileIndex: unit.index, attempt: 0, plan: plan,
                source: try plan.window(ofTile: unit.index, in: source),
                input: try canvas.cropped(to: unit.window))
            let output = try renderer.render(work, progress: TileProgressReporter())
            let region = unit.changedRegion
            guard output.width == region.width, output.height == region.height else {
                throw TileRenderError.failed("tile \(unit.index) came back \(output.width)×\(output.height), expected \(region)")
            }
            canvas.paste(output, x: region.x, y: region.y)
            done += 1
            progress(done, plan.tileCount)
        }
        return canvas
    }
}
