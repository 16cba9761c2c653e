import Foundation
import TesseraImaging
import TesseraWire

/// Loop-thread state of the distributed tiled-diffusion jobs (owned by `CoordinatorLoop`, touched only on its thread,
/// except `board`, which is shared with the jobs' sampler threads).
final class LatentJobTable {
    let board = LatentStageBoard()
    /// Stages in the scheduler, by their scheduler job id.
    var stages: [String: LatentStage] = [:]
    /// Jobs whose sampler thread runs.
    var running: Set<String> = []
    /// Per running job: stage tiles done and the estimated total.
    var progress: [String: (done: Int, total: Int)] = [:]
}

/// The coordinator's side of distributed tiled diffusion (docs/distributed-multidiffusion.md): each stage a job's
/// sampler thread posts becomes a short-lived scheduler job `"<job>~<stage>"`, so dispatch, leases, retries,
/// blocklisting and worker-loss handling are the ordinary ones; results go back to the waiting thread.
extension CoordinatorLoop {
    /// Starts the sampler thread of an active `[tiled_diffusion]` job (no-op for other jobs).
    func startLatentDiffusion(_ id: String) {
        guard let job = active[id], job.stored.spec.tiledDiffusion != nil, !latentJobs.running.contains(id) else { return }
        let source: RGBAImage
        do {
            if let pixels = job.sourcePixels {
                source = try RGBAImage(width: job.plan.sourceWidth, height: job.plan.sourceHeight, pixels: [UInt8](pixels))
            } else {
                source = try PNGImage.read(path: job.folder.sourcePath).rgba8
            }
        } catch {
            failJob(id, reason: "cannot read source image: \(error)")
            return
        }
        latentJobs.running.insert(id)
        LatentDiffusionDriver(jobId: id, spec: job.stored.spec, source: source, outputPath: job.folder.outputPath,
                              board: latentJobs.board).start()
        logger.info("job \(id): tiled diffusion started (sampler on the coordinator, tiles on the workers)")
    }

    /// Moves newly posted stages into the scheduler and settles jobs whose sampler thread ended. Called every loop
    /// iteration.
    func pumpLatentStages() {
        for stage in latentJobs.board.takePosted() {
            guard let parent = active[stage.jobId], latentJobs.running.contains(stage.jobId) else { continue }
            let id = stage.schedulerJobId
            latentJobs.stages[id] = stage
            let done = latentJobs.progress[stage.jobId]?.done ?? 0
            latentJobs.progress[stage.jobId] = (done, max(stage.jobTileEstimate, done + stage.documents.count))
            if parent.stored.state == .queued {
                active[stage.jobId]?.stored.state = .running
                let time = wallNow()
                pendingWrites.append { $0.setJobState(stage.jobId, .running, now: time) }
                dirtyJobs.insert(stage.jobId)
            }
            scheduler.addJob(
                id: id, priority: parent.stored.priority, seq: parent.stored.seq, renderer: LatentTileRenderer.rendererName,
                tileCount: stage.documents.count, pendingInOrder: Array(stage.documents.indices),
                requirements: parent.stored.spec.modelRequirements)
        }
        for (id, result) in latentJobs.board.takeFinished() {
            guard latentJobs.running.remove(id) != nil else { continue }
            latentJobs.progress[id] = nil
            removeLatentStages(of: id)
            guard var job = active[id] else { continue }
            switch result {
            case .success:
                active.removeValue(forKey: id)
                let time = wallNow()
                try? store.setJobState(id, .done, now: time)
                job.stored.state = .done
                job.stored.finishedAt = time
                finished[id] = job.stored
                dirtyJobs.insert(id)
                counters.jobsCompleted += 1
                logger.info("job \(id) done: \(job.folder.outputPath)")
            case .failure(let error):
                failJob(id, reason: "\(error)")
            }
        }
    }

    /// The scheduler key of a tile reference from a worker (latent stages live under their stage job).
    func schedulerKey(for ref: TileRef) -> TileKey {
        LatentStageKey(jobId: ref.jobID, tileID: ref.tileID)?.schedulerKey ?? TileKey(jobId: ref.jobID, index: Int(ref.tileID))
    }

    /// Stage tiles done, running and (estimated) in total of a running tiled-diffusion job; nil for other jobs.
    func latentProgress(_ id: String) -> (done: Int, running: Int, total: Int)? {
        guard let progress = latentJobs.progress[id] else { return nil }
        let running = latentJobs.stages.keys.reduce(0) { sum, stageId in
            LatentStageKey(schedulerKey: TileKey(jobId: stageId, index: 0))?.jobId == id ? sum + scheduler.leasedCount(of: stageId) : sum
        }
        return (progress.done, running, progress.total)
    }

    func isLatentStageJob(_ schedulerJobId: String) -> Bool { latentJobs.stages[schedulerJobId] != nil }

    /// Image pixels of a latent stage tile (for its lease), nil for ordinary tiles.
    func latentLeasePixels(_ key: TileKey) -> Int? { latentJobs.stages[key.jobId]?.leasePixels }

    /// Sends a dispatched latent-stage tile; false when `key` is not one.
    func dispatchLatentStage(_ key: TileKey, workerId: String, attempt: Int) -> Bool {
        guard let stageKey = LatentStageKey(schedulerKey: key), let stage = latentJobs.stages[key.jobId] else { return false }
        guard let routingID = workerRoutes[workerId], let worker = workers[routingID], let job = active[stageKey.jobId] else {
            return true
        }
        var payloads: [Payload] = []
        if !worker.sourcesSent.contains(stageKey.jobId) {
            let pixels: Data
            if let cached = job.sourcePixels {
                pixels = cached
            } else {
                guard let image = try? PNGImage.read(path: job.folder.sourcePath).rgba8 else {
                    failJob(stageKey.jobId, reason: "cannot read source image")
                    return true
                }
                pixels = Data(image.pixels)
                active[stageKey.jobId]?.sourcePixels = pixels
            }
            payloads.append(.image(.context, format: .rgba8, width: job.plan.sourceWidth, height: job.plan.sourceHeight, pixels: pixels))
            workers[routingID]?.sourcesSent.insert(stageKey.jobId)
        }
        let input = stage.inputs[stageKey.tile]
        if !input.isEmpty { payloads.append(.opaque(.latent, bytes: input)) }
        var parameters = TileParameters(spec: job.stored.spec, sourceWidth: job.plan.sourceWidth, sourceHeight: job.plan.sourceHeight)
        parameters.latentStage = stage.documents[stageKey.tile]
        let lease = scheduler.lease(of: key)
        counters.tilesAssigned += 1
        sendTile(.tile(TileAssignment(
            tile: TileRef(jobID: stageKey.jobId, tileID: stageKey.tileID, attempt: UInt32(attempt)),
            leaseMilliseconds: UInt32(max(1, (lease?.leaseSeconds ?? 30) * 1000)),
            rect: TileRect(x: 0, y: 0, width: UInt32(stage.resultSizes[stageKey.tile].width),
                           height: UInt32(stage.resultSizes[stageKey.tile].height)),
            parameters: .json(JSONText.encode(parameters)), payloads: payloads)), key: key, to: worker)
        workers[routingID]?.state = .busy
        workers[routingID]?.currentJob = stageKey.jobId
        workers[routingID]?.currentTile = stageKey.tileID
        return true
    }

    /// Takes a latent-stage RESULT; false when `result` is an ordinary tile's.
    func handleLatentResult(_ worker: ConnectedWorker, _ result: TileResult) -> Bool {
        guard let stageKey = LatentStageKey(jobId: result.tile.jobID, tileID: result.tile.tileID) else { return false }
        workers[worker.routingID]?.currentJob = ""
        let key = stageKey.schedulerKey
        guard let stage = latentJobs.stages[key.jobId] else {
            counters.drop("unknown_job")
            return true
        }
        guard stage.resultSizes.indices.contains(stageKey.tile), let payload = result.payloads.first, payload.format == .rgba8,
            payload.width == stage.resultSizes[stageKey.tile].width, payload.height == stage.resultSizes[stageKey.tile].height,
            let image = try? RGBAImage(width: payload.width, height: payload.height, pixels: [UInt8](payload.bytes))
        else {
            counters.drop("bad_result")
            logger.warning("worker \(worker.id) sent a latent result for \(key) with the wrong size or format")
            failTile(key, worker: worker, fatal: false, reason: "latent result has the wrong size or format")
            return true
        }
        if scheduler.isDone(key) {
            counters.duplicateResults += 1
            counters.drop("duplicate")
            return true
        }
        let outcome = scheduler.complete(key, worker: worker.id)
        guard outcome.isNew else { return true }
        if outcome.endedLease == nil || outcome.endedLease?.workerId != worker.id { counters.lateResultsAccepted += 1 }
        workers[worker.routingID]?.tilesDone += 1
        counters.tilesAccepted += 1
        counters.tilesCompleted += 1
        if let row = outcome.endedLease?.attemptRowId {
            let time = wallNow()
            pendingWrites.append { try $0.endAttempt(id: row, outcome: "done", now: time) }
        }
        latentJobs.board.deliver(stageKey, image)
        latentJobs.progress[stageKey.jobId]?.done += 1
        dirtyJobs.insert(stageKey.jobId)
        if scheduler.isComplete(key.jobId) {
            scheduler.removeJob(key.jobId)
            latentJobs.stages[key.jobId] = nil
        }
        return true
    }

    /// Stops a tiled-diffusion job's sampler thread and withdraws its stages (job failed or cancelled).
    func stopLatentDiffusion(_ id: String, reason: String) {
        guard latentJobs.running.contains(id) else { return }
        latentJobs.board.stop(id, reason: reason)
        removeLatentStages(of: id)
    }

    /// Stops every sampler thread (coordinator shutting down).
    func stopAllLatentDiffusion() {
        for id in latentJobs.running { latentJobs.board.stop(id, reason: "coordinator stopping") }
    }

    private func removeLatentStages(of id: String) {
        for stageId in latentJobs.stages.keys where LatentStageKey(schedulerKey: TileKey(jobId: stageId, index: 0))?.jobId == id {
            latentJobs.stages[stageId] = nil
            let leases = scheduler.removeJob(stageId)
            let time = wallNow()
            for workerId in Set(leases.values.map(\.workerId)) {
                guard let route = workerRoutes[workerId], let worker = workers[route] else { continue }
                trySend(.revoke(Revoke(jobID: id)), to: worker)
            }
            for lease in leases.values {
                let row = lease.attemptRowId
                pendingWrites.append { try $0.endAttempt(id: row, outcome: "revoked", now: time) }
            }
        }
    }
}
