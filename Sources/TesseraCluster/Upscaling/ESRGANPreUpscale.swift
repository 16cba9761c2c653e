import Foundation
import Synchronization
import TesseraImaging
import TesseraPipelines

/// Chooses how a diffusion upscale job's source is pre-upscaled: a classical filter by name, or
/// else an ESRGAN-family model that each worker resolves in its models folder.
public enum ESRGANPreUpscale {
    /// True when `name` is not a classical filter and so names an ESRGAN model (a path or a name
    /// in a worker's models folder; only workers can tell whether they have it).
    public static func isModelName(_ name: String) -> Bool {
        ClassicalUpscaler.filter(named: name) == nil && !name.trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// The pre-upscaled image over `tile.context`, computed from the source alone (a pure
    /// function of source, plan and tile, so any worker renders the same pixels).
    public static func context(of tile: PlannedTile, plan: UpscalePlan, source: SourceWindow, preUpscaler: String,
                               library: ModelLibrary?) throws -> RGBAImage {
        if let filter = ClassicalUpscaler.filter(named: preUpscaler) {
            return try ResamplingTileRenderer(window: source, filter: filter).render(tile, of: plan.tilePlan)
        }
        let network = try store(for: library).network(named: preUpscaler)
        do {
            return try ESRGANRegionUpscaler(network: network).render(
                region: tile.context, of: source, targetWidth: plan.outputWidth, targetHeight: plan.outputHeight)
        } catch let error as ClusterError {
            throw TileRenderError.invalidParameters("pre_upscaler \"\(preUpscaler)\": \(error)")
        }
    }

    private static let stores = Mutex<[String: ESRGANModelStore]>([:])

    /// One model store per models folder, so a worker loads each model once across renderers and jobs.
    static func store(for library: ModelLibrary?) throws -> ESRGANModelStore {
        try stores.withLock { cache in
            let key = (library?.root ?? "") + "\n" + (library?.files[.upscaler] ?? []).joined(separator: "\n")
            if let store = cache[key] { return store }
            let store = try ESRGANModelStore(library: library)
            cache[key] = store
            return store
        }
    }
}
