import TesseraImaging

/// Several renderers behind one: each tile goes to the first renderer that serves the job's upscaler name, and the
/// worker advertises the union of their names and models.
public struct RoutingTileRenderer: GeneratingTileRenderer {
    public let renderers: [any WorkerTileRenderer]

    public init(_ renderers: [any WorkerTileRenderer]) { self.renderers = renderers }

    public var names: [String] {
        var seen = Set<String>()
        return renderers.flatMap(\.names).filter { seen.insert($0).inserted }
    }

    public var models: [AdvertisedModel] {
        var seen = Set<AdvertisedModel>()
        return renderers.flatMap(\.models).filter { seen.insert($0).inserted }
    }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        try renderer(for: work).render(work, progress: progress)
    }

    public func renderWithParameters(_ work: TileWork, progress: TileProgressReporter) throws -> RenderedTile {
        try renderer(for: work).renderTile(work, progress: progress)
    }

    private func renderer(for work: TileWork) throws -> any WorkerTileRenderer {
        let name = work.latentStage == nil ? work.plan.spec.tileRendererName : LatentTileRenderer.rendererName
        guard let renderer = renderers.first(where: { $0.names.contains(name) }) else {
            throw TileRenderError.invalidParameters(
                "no renderer \"\(name)\" on this worker (available: \(names.joined(separator: ", ")))")
        }
        return renderer
    }
}
