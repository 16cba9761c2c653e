import Foundation
import TesseraImageOps
import TesseraImaging
import TesseraWire

/// Causal (USDU / seams fix) tiles: a tile is dispatched once its dependencies are durable, with the canvas it redraws
/// (the base image plus its dependencies' results, in index order) as a `canvas` payload. Inpaint tiles get their
/// mask excerpt as a `mask` payload (a generation inpaint job's tile the whole mask).
extension CoordinatorLoop {
    /// The payloads tile `index` needs besides the source; nil when building them failed the job.
    func extraTilePayloads(for index: Int, job: inout ActiveJob) -> [Payload]? {
        var payloads: [Payload] = []
        if job.plan.causal?.unit(forTile: index) != nil {
            guard let canvas = causalCanvas(for: index, job: &job) else { return nil }
            payloads.append(canvas)
        }
        for hint in job.hints {
            payloads.append(.image(.hint, format: .rgba8, width: hint.width, height: hint.height, pixels: Data(hint.pixels)))
        }
        if let mask = job.inpaintMask, job.plan.spec.generation != nil {
            // A generation job's one tile is the whole image: the pipeline reads the whole mask.
            payloads.append(.image(.mask, format: .gray8, width: mask.width, height: mask.height, pixels: Data(mask.pixels)))
        } else if let mask = job.inpaintMask {
            let tile = job.plan.tilePlan.tiles[index]
            let window = InpaintTiles.maskWindow(of: tile, plan: job.plan.tilePlan, maskBlur: job.plan.spec.maskBlur)
            guard let excerpt = try? mask.cropped(to: window) else {
                failJob(job.stored.id, reason: "mask excerpt \(window) of tile \(index) is outside the mask")
                return nil
            }
            payloads.append(.image(.mask, format: .gray8, width: window.width, height: window.height, pixels: Data(excerpt.pixels)))
        }
        return payloads
    }

    /// False while `key` is a causal tile whose job's base image is not built yet.
    func causalBaseReady(_ key: TileKey) -> Bool {
        guard let job = active[key.jobId], job.plan.causal?.unit(forTile: key.index) != nil else { return true }
        return job.causalBase != nil
    }

    /// Starts building a causal job's base image once every feathered tile it is made of is on disk (at once in
    /// `usdu` mode, which has none). Called when the job becomes active and whenever its tiles become durable.
    func startCausalBaseIfDue(_ jobId: String) {
        guard var job = active[jobId], job.plan.causal != nil, job.causalBase == nil, !job.causalBaseBuilding else { return }
        let featherTiles = (0..<job.plan.featherTileCount).map { TileKey(jobId: jobId, index: $0) }
        guard featherTiles.allSatisfy({ scheduler.isDone($0) && persisting[$0] == nil }) else { return }
        guard let pixels = loadSource(&job) else { return }
        job.causalBaseBuilding = true
        active[jobId] = job
        causalBases.build(jobId: jobId, plan: job.plan, folder: job.folder, sourcePixels: pixels)
    }

    /// Takes the base images built since the last call; a job whose base cannot be built fails.
    func collectCausalBases() {
        for (id, result) in causalBases.takeFinished() {
            guard active[id] != nil else { continue }
            active[id]?.causalBaseBuilding = false
            switch result {
            case .success(let image): active[id]?.causalBase = image
            case .failure(let error): failJob(id, reason: "\(error)")
            }
        }
    }

    /// True when every result tile `key` reads is on disk (accepted results are written asynchronously).
    func dependenciesDurable(_ key: TileKey) -> Bool {
        // Latent stages are scheduled under their own keys and depend on nothing stored.
        guard let plan = active[key.jobId]?.plan else { return true }
        return plan.dependencies(of: key.index).allSatisfy { persisting[TileKey(jobId: key.jobId, index: $0)] == nil }
    }

    /// The `canvas` payload of causal tile `index`; on failure the job fails and nil is returned.
    func causalCanvas(for index: Int, job: inout ActiveJob) -> Payload? {
        guard let unit = job.plan.causal?.unit(forTile: index) else { return nil }
        do {
            // `causalBaseReady` holds causal tiles back until the base is built.
            guard let base = job.causalBase else {
                throw ClusterError.processFailure("tile \(index) was dispatched before the job's base image was built")
            }
            let folder = job.folder
            let input = try CausalUpscale.input(
                for: unit, plan: job.plan, base: { try base.cropped(to: $0) },
                result: { try StoredTileReader(folder: folder).result(of: $0, covering: job.plan.renderRect($0)) })
            return .image(.canvas, format: .rgba8, width: input.width, height: input.height, pixels: Data(input.pixels))
        } catch {
            failJob(job.stored.id, reason: "cannot build the canvas of tile \(index): \(error)")
            return nil
        }
    }
}
