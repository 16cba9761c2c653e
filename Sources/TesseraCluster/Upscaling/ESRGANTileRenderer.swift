import TesseraImaging
import TesseraPipelines

/// Renders the tiles of a classical upscale job whose `upscaler` is an ESRGAN-family model
/// (A1111's ESRGAN upscalers): each tile is its context region of the model's pre-upscaled image
/// (`ESRGANRegionUpscaler`), so the model pass itself is split into tiles across workers.
///
/// The worker advertises every model it has as an upscaler name, so the coordinator only sends
/// it jobs for models it can load.
public struct ESRGANTileRenderer: WorkerTileRenderer {
    /// The renderer name of every ESRGAN-family upscale job; which model a job needs is a model requirement.
    public static let rendererName = "esrgan"

    public let store: ESRGANModelStore
    public let models: [AdvertisedModel]

    /// `library`: the models folder (and single files); `preload`: model paths or names loaded at start-up.
    public init(library: ModelLibrary?, preload: [String] = []) throws {
        store = try ESRGANPreUpscale.store(for: library)
        for model in preload { _ = try store.network(named: model) }
        let available = store.modelNames
        let extra = preload.map { ModelLibrary.modelName(ofFile: $0).lowercased() }.filter { !available.contains($0) }
        models = (available + extra).map { AdvertisedModel(kind: .upscaler, name: $0) }
    }

    public var names: [String] { [Self.rendererName] }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        guard work.source.sourceWidth == work.plan.sourceWidth, work.source.sourceHeight == work.plan.sourceHeight,
              work.plan.tilePlan.tiles.indices.contains(work.tileIndex) else {
            throw TileRenderError.invalidParameters(
                "tile \(work.tileIndex) of a \(work.source.sourceWidth)×\(work.source.sourceHeight) source does not match the plan")
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
