import Foundation
import Synchronization
import TesseraImaging
import TesseraPipelines
import TesseraTensor

/// The worker side of distributed tiled diffusion: renders latent stages (VAE encode, one latent tile of one model
/// call, VAE decode) of `[tiled_diffusion]` jobs with the checkpoints of a `DiffusionTileRenderer`.
///
/// A job's session (text encodings, ControlNet hint, cropped per tile) is prepared on its first stage and kept for
/// the following ones; the two most recent jobs are kept.
public final class LatentTileRenderer: WorkerTileRenderer {
    /// The renderer name workers advertise and the scheduler routes latent stages by.
    public static let rendererName = "latent-diffusion"

    public let diffusion: DiffusionTileRenderer
    private let sessions = Mutex<[(jobId: String, session: LatentTileSession, job: LatentDiffusionJob)]>([])
    /// Serialises session preparation so two threads do not encode the same prompt twice.
    private let preparing = Mutex<Void>(())

    public init(diffusion: DiffusionTileRenderer) { self.diffusion = diffusion }

    public var names: [String] { [Self.rendererName] }
    public var models: [AdvertisedModel] { diffusion.models }

    public func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        guard let stage = work.latentStage else {
            throw TileRenderError.invalidParameters("tile \(work.tileIndex) of job \(work.jobId) is not a latent stage")
        }
        guard (1...LatentStageDocument.currentVersion).contains(stage.document.version) else {
            throw TileRenderError.invalidParameters("latent stage version \(stage.document.version) is not supported (this worker speaks \(LatentStageDocument.currentVersion))")
        }
        let (session, job) = try self.session(for: work)
        return try DiffusionTileRenderer.throwingTileErrors {
            let plan = session.plan
            switch stage.document.kind {
            case .encode:
                return try LatentWireCodec.image(try session.encodeInitImage())
            case .denoise, .invert:
                let tiles = plan.fusion.tiles
                guard tiles.indices.contains(stage.document.tile) else {
                    throw TileRenderError.invalidParameters("latent tile \(stage.document.tile) is not one of the job's \(tiles.count) tiles")
                }
                let tile = tiles[stage.document.tile]
                let shape = [1, plan.latentShape[0], tile.height, tile.width]
                let crop = Tensor(shape: shape, data: try checked(stage.input, count: shape.reduce(1, *), what: "latent tile crop"))
                let round = LatentTileRound(kind: stage.document.kind == .invert ? .inversion : .sampling,
                                            call: stage.document.call, samplingStep: stage.document.samplingStep,
                                            sigma: stage.document.sigma, timestep: stage.document.timestep, crops: [])
                let eps = try session.eps(tile: stage.document.tile, crop: crop, round: round)
                progress.report(1)
                return try LatentWireCodec.image(eps)
            case .decode:
                let shape = [1] + plan.latentShape
                let latent = Tensor(shape: shape, data: try checked(stage.input, count: shape.reduce(1, *), what: "final latent"))
                return try job.finish(try session.decode(latent))
            }
        }
    }

    private func checked(_ values: [Float], count: Int, what: String) throws -> [Float] {
        guard values.count == count else {
            throw TileRenderError.invalidParameters("\(what) has \(values.count) values, expected \(count)")
        }
        return values
    }

    /// The job's session, prepared on first use.
    func session(for work: TileWork) throws -> (LatentTileSession, LatentDiffusionJob) {
        if let hit = sessions.withLock({ $0.first { $0.jobId == work.jobId } }) { return (hit.session, hit.job) }
        return try preparing.withLock { _ in
            if let hit = sessions.withLock({ $0.first { $0.jobId == work.jobId } }) { return (hit.session, hit.job) }
            guard let settings = work.plan.spec.diffusion else {
                throw TileRenderError.invalidParameters("job has no diffusion settings")
            }
            let pipeline = try diffusion.pipeline(for: settings.checkpoint)
            let controlNetPath = try settings.controlNetTile.map {
                try diffusion.resolve($0.model, kind: .controlNet, label: "ControlNet")
            }
            let (session, job) = try DiffusionTileRenderer.throwingTileErrors { () throws -> (LatentTileSession, LatentDiffusionJob) in
                let job: LatentDiffusionJob
                do { job = try LatentDiffusionJob(spec: work.plan.spec, source: try work.source.wholeImage(for: "a tiled diffusion stage"), controlNetPath: controlNetPath) } catch {
                    throw TileRenderError.invalidParameters("\(error)")
                }
                return (try pipeline.latentTileSession(for: job.request, resolveLoRA: diffusion.loraResolver), job)
            }
            sessions.withLock { list in
                list.append((work.jobId, session, job))
                if list.count > 2 { list.removeFirst(list.count - 2) }
            }
            return (session, job)
        }
    }
}

extension DiffusionTileRenderer {
    /// Resolves a prompt's `<lora:name:…>` on this worker like its checkpoints: a missing LoRA is a fatal
    /// `modelNotFound` naming it, so the job fails once with that message instead of being retried elsewhere.
    var loraResolver: (String) throws -> String {
        { [self] name in try resolve(name, kind: .lora, label: "LoRA") }
    }
}
