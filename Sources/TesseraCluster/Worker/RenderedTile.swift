import TesseraImaging

/// A renderer's finished tile: the pixels and, for a generation job, the image's A1111 `parameters` text (which
/// names the model hash and other facts only the worker knows).
public struct RenderedTile: Sendable {
    public var image: RGBAImage
    public var parameters: String?

    public init(image: RGBAImage, parameters: String? = nil) {
        self.image = image
        self.parameters = parameters
    }
}

extension WorkerTileRenderer {
    /// Renders `work` with its parameters text; renderers without one return `render`'s pixels.
    public func renderTile(_ work: TileWork, progress: TileProgressReporter) throws -> RenderedTile {
        if let generating = self as? any GeneratingTileRenderer { return try generating.renderWithParameters(work, progress: progress) }
        return RenderedTile(image: try render(work, progress: progress))
    }
}

/// A renderer whose tiles can carry a `parameters` text (generation jobs).
public protocol GeneratingTileRenderer: WorkerTileRenderer {
    func renderWithParameters(_ work: TileWork, progress: TileProgressReporter) throws -> RenderedTile
}
