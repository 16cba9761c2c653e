import TesseraImaging
import TesseraPipelines

/// Renders the tiles of a classical upscale job whose `upscaler` is an ESRGAN-family model
/// (A1111's ESRGAN upscalers): each tile is its context region of the model's pre-upscaled image
/// (`ESRGANRegionUpscaler`), so the model pass itself is split into tiles across workers.
///
/// The worker advertises every model it has as an upscaler name, so the coordinator only sends
/// it jobs for models it can load.
public struct ESRGANTileRenderer: WorkerTileRenderer {
    public let store: ESRGANModelStore
    public let names: [String]

    /// `library`: the models folder; `preload`: model paths or names loaded at start-up.
    public init(library: ModelLibrary?, preload: [String] = []) throws {
        store = try ESRGANPreUpscale.store(for: library)
        for model in preload { _ = try store.network(named: model) }
        let available = store.modelNames
        names = available + preload.map { $0.lowercased() }.filter { !available.contains($0) }
    }

    public var models: [(name: String, hash: String)] { names.map { ($0, "") } }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        guard work.source.width == work.plan.sourceWidth, work.source.height == work.plan.sourceHeight,
              work.plan.tilePlan.tiles.indices.contains(work.tileIndex) else {
            throw TileRenderError.invalidParameters(
                "tile \(work.tileIndex) of a \(work.source.width)×\(work.source.height) source does not match the plan")
        }
        let network = try store.network(named: work.plan.spec.upscaler)
        do {
            let tile = try ESRGANRegionUpscaler(network: network).render(
                region: work.renderRect, of: work.source, targetWidth: work.plan.outputWidth, targetHeight: work.plan.outputHeight)
            progress.report(1)
            return tile
        } catch let error as ClusterError {
            throw TileRenderError.invalidParameters("upscaler \"\(work.plan.spec.upscaler)\": \(error)")
        } catch {
            throw TileRenderError.failed("upscaler \"\(work.plan.spec.upscaler)\": \(error)")
        }
    }
}
