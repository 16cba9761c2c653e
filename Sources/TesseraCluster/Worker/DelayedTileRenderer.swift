#if canImport(Glibc)
import Glibc
#endif
import TesseraImaging

/// Wraps a renderer and waits a fixed time before each tile, reporting progress while it waits.
///
/// This is the documented test/benchmark option `tessera worker --render-delay-ms N`: it makes tiles take long
/// enough that a test can kill a process mid-job, and lets the benchmark simulate renderers of a fixed duration.
/// The pixels still come from the wrapped renderer, so results stay real.
public struct DelayedTileRenderer: GeneratingTileRenderer {
    public let inner: any WorkerTileRenderer
    public let delayMilliseconds: Int

    public init(_ inner: any WorkerTileRenderer, delayMilliseconds: Int) {
        self.inner = inner
        self.delayMilliseconds = max(0, delayMilliseconds)
    }

    public var names: [String] { inner.names }
    public var models: [AdvertisedModel] { inner.models }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        try renderWithParameters(work, progress: progress).image
    }

    public func renderWithParameters(_ work: TileWork, progress: TileProgressReporter) throws -> RenderedTile {
        let steps = max(1, delayMilliseconds / 100)
        let stepMicros = UInt32(delayMilliseconds * 1000 / steps)
        for step in 0..<steps where delayMilliseconds > 0 {
            if progress.isCancelled { throw TileRenderError.cancelled }
            usleep(stepMicros)
            progress.report(Double(step + 1) / Double(steps + 1))
        }
        return try inner.renderTile(work, progress: progress)
    }
}
