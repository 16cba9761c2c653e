import Foundation
import Logging
import TesseraImageOps
import TesseraImaging
import TesseraWire
import TesseraZMQ

/// Everything the coordinator knows about one connected worker.
struct ConnectedWorker {
    var id: String
    var routingID: Data
    var hello: Hello
    /// The models HELLO advertised.
    var models: ModelInventory
    var state: WireWorkerState = .idle
    var currentJob = ""
    var currentTile: UInt32 = 0
    var tilesDone: UInt64 = 0
    var lastSeen: Double
    var lastSent: Double
    /// Jobs whose source image this worker has been sent (it caches them).
    var sourcesSent: Set<String> = []
}

/// A job that is not final yet, with what dispatch needs in memory.
struct ActiveJob {
    var stored: StoredJob
    var plan: UpscalePlan
    var folder: JobFolder
    /// RGBA8 source pixels, loaded on first dispatch.
    var sourcePixels: Data?
    var assembling = false
    /// Causal jobs: the image the first unit redraws (pre-upscale or feathered redraw), built off the loop thread
    /// once the first causal tile could run (`CausalBaseQueue`).
    var causalBase: RGBAImage?
    var causalBaseBuilding = false
    /// Inpaint jobs: the mask (output size), cut into each TILE's `mask` payload.
    var inpaintMask: GreyImage?
    /// Generation jobs: the ControlNet control images, sent with the TILE as `hint` payloads.
    var hints: [RGBAImage] = []
}

/// The coordinator's single-threaded event loop. Everything here runs on the thread that called `run()`: the
/// sockets, the scheduler and the job store are never touched from anywhere else.
final class CoordinatorLoop {
    let coordinator: Coordinator
    var config: CoordinatorConfig { coordinator.config }
    var logger: Logger { coordinator.logger }
    let context: ZMQContext
    let workerSocket: ZMQSocket
    let clientSocket: ZMQSocket
    let store: JobStore
    let endpoints: CoordinatorEndpoints
    let assembler: JobAssemblyQueue
    let intake = SubmitIntakeQueue()
    let causalBases = CausalBaseQueue()
    let tileWriter = TileWriteQueue()
    /// Live tile maps of running jobs.
    let previews = JobPreviewQueue()
    /// Tiles accepted but not yet durable, with their checksum (duplicates arriving meanwhile compare against it).
    var persisting: [TileKey: UInt64] = [:]
    let coordinatorID: String

    var scheduler: TileScheduler
    var counters = CoordinatorCounters()
    var workers: [Data: ConnectedWorker] = [:]
    var workerRoutes: [String: Data] = [:]
    var active: [String: ActiveJob] = [:]
    var finished: [String: StoredJob] = [:]
    var uploads: [String: (data: Data, total: UInt64, lastTouched: Double)] = [:]
    var watchers: [String: [(routingID: Data, requestID: UInt32)]] = [:]
    var dirtyJobs: Set<String> = []
    var pendingWrites: [(JobStoreTransaction) throws -> Void] = []
    var nextAttemptId: Int64
    var lastTimerCheck = 0.0
    var lastCounterPublish = 0.0
    /// Distributed tiled-diffusion jobs (LatentTiles/).
    let latentJobs = LatentJobTable()

    var heartbeatSeconds: Double { Double(config.heartbeatMs) / 1000 }
    var deadAfterSeconds: Double { heartbeatSeconds * Double(config.liveness) }

    init(coordinator: Coordinator) throws {
        self.coordinator = coordinator
        let config = coordinator.config
        store = try JobStore(directory: config.stateDir)
        scheduler = TileScheduler(
            policy: .init(maxAttempts: config.maxAttempts, blocklistAfterFailures: config.blocklistAfterFailures))
        nextAttemptId = try store.maxAttemptId() + 1
        coordinatorID = "coordinator-\(ProcessInfo.processInfo.processIdentifier)"
        assembler = JobAssemblyQueue()
        do {
            context = try ZMQContext()
            workerSocket = try context.makeSocket(.router)
            clientSocket = try context.makeSocket(.router)
            let limits = WireLimits.default
            for socket in [workerSocket, clientSocket] {
                try socket.applyWireDefaults(limits: limits)
                try socket.setOptions([.sendTimeout(milliseconds: 200), .sendHighWaterMark(10_000)])
            }
            try workerSocket.bind(config.workerEndpoint)
            try clientSocket.bind(config.clientEndpoint)
        } catch {
            throw ClusterError.processFailure(
                "cannot bind \(config.workerEndpoint) / \(config.clientEndpoint): \(error)")
        }
        endpoints = CoordinatorEndpoints(
            worker: (try? workerSocket.lastEndpoint()) ?? config.workerEndpoint,
            client: (try? clientSocket.lastEndpoint()) ?? config.clientEndpoint,
            pid: ProcessInfo.processInfo.processIdentifier)
        try recover()
        try endpoints.write(stateDir: config.stateDir)
        logger.info(
            "coordinator listening: workers \(endpoints.worker), clients \(endpoints.client), state \(config.stateDir)")
    }

    // MARK: Start-up recovery

    /// Rebuilds the in-memory queue from the store: finished tiles whose files are intact stay finished, everything
    /// else is pending again; attempts left open by a crash are closed.
    private func recover() throws {
        try store.closeInterruptedAttempts(now: wallNow())
        for job in try store.jobs() {
            if job.state.isFinal {
                finished[job.id] = job
                continue
            }
            let folder = JobFolder(stateDir: config.stateDir, jobId: job.id)
            let plan: UpscalePlan
            do {
                plan = try UpscalePlan(spec: job.spec, sourceWidth: job.sourceWidth, sourceHeight: job.sourceHeight)
            } catch {
                try store.setJobState(job.id, .failed, error: "cannot plan after restart: \(error)", now: wallNow())
                continue
            }
            var done: Set<Int> = []
            var failures: [Int: Int] = [:]
            for tile in try store.tiles(of: job.id) {
                failures[tile.index] = tile.failures
                guard tile.state == .done else { continue }
                // A generation image also needs its parameters text, written just before the tile.
                if let file = try? TileResultFile.load(folder.tilePath(tile.index)),
                    hex64(file.checksum) == tile.checksum,
                    job.spec.generation == nil || FileManager.default.fileExists(atPath: folder.parametersPath(tile.index))
                {
                    done.insert(tile.index)
                } else {
                    logger.warning("job \(job.id): tile \(tile.index) result missing or corrupt; rendering it again")
                    try store.resetTile(jobId: job.id, index: tile.index)
                }
            }
            if job.spec.tiledDiffusion != nil {
                // Tiled diffusion keeps no intermediate state: the job restarts from its first model call.
                active[job.id] = ActiveJob(stored: job, plan: plan, folder: folder)
                startLatentDiffusion(job.id)
                continue
            }
            var inpaintMask: GreyImage? = nil
            var hints: [RGBAImage] = []
            if let generation = job.spec.generation {
                do {
                    if generation.mode == .inpaint { inpaintMask = try InpaintJobs.loadMask(folder: folder) }
                    hints = try GenerationJobs.loadHints(folder: folder, settings: generation)
                } catch {
                    try store.setJobState(job.id, .failed, error: "cannot read the job's images after restart: \(error)", now: wallNow())
                    continue
                }
            } else if job.spec.inpaint {
                // Tiles the mask does not reach are never rendered: they count as done.
                do {
                    let mask = try InpaintJobs.loadMask(folder: folder)
                    let affected = Set(try InpaintTiles.affected(plan: plan.tilePlan, mask: mask, maskBlur: job.spec.maskBlur))
                    done.formUnion(Set(plan.dispatchOrder).subtracting(affected))
                    inpaintMask = mask
                } catch {
                    try store.setJobState(job.id, .failed, error: "cannot read the mask after restart: \(error)", now: wallNow())
                    continue
                }
            }
            let pending = plan.dispatchOrder.filter { !done.contains($0) }
            scheduler.addJob(
                id: job.id, priority: job.priority, seq: job.seq, renderer: job.spec.tileRendererName,
                tileCount: plan.tileCount, pendingInOrder: pending, done: done, failures: failures,
                blocklist: try store.blocklist(of: job.id), dependencies: plan.dependencyMap,
                requirements: job.spec.modelRequirements)
            active[job.id] = ActiveJob(stored: job, plan: plan, folder: folder, inpaintMask: inpaintMask, hints: hints)
            logger.info("resuming job \(job.id): \(done.count)/\(plan.tileCount) tiles already done")
            startCausalBaseIfDue(job.id)
            if done.count == plan.tileCount { startAssembly(job.id) }
        }
    }

    // MARK: Main loop

    func run() throws {
        defer {
            // Tiles already received are kept: wait for their files, then record them.
            let deadline = monotonicNow() + 10
            while tileWriter.outstanding > 0 && monotonicNow() < deadline {
                usleep(2_000)
                collectWrites()
            }
            tileWriter.shutdown()
            stopAllLatentDiffusion()
            flushWrites()
            for worker in workers.values {
                trySend(.disconnect(Disconnect(code: .shuttingDown, message: "coordinator stopping")), to: worker)
            }
            workerSocket.close()
            clientSocket.close()
            coordinator.publish(counters)
            logger.info("coordinator stopped")
        }
        let pollTimeout = max(5, min(50, config.heartbeatMs / 4))
        while !coordinator.stopFlag.isSet {
            let events: [PollEvents]
            do {
                events = try ZMQPoller.poll(
                    [PollItem(socket: workerSocket), PollItem(socket: clientSocket)], timeoutMilliseconds: pollTimeout)
            } catch {
                if error.kind == .terminated { break }
                logger.error("poll failed: \(error)")
                continue
            }
            let turnStart = monotonicNow()
            if events[0].contains(.readable) { drain(workerSocket, handle: handleWorkerMessage) }
            if events[1].contains(.readable) { drain(clientSocket, handle: handleClientMessage) }
            let now = monotonicNow()
            if now - lastTimerCheck >= 0.02 {
                lastTimerCheck = now
                // A long turn (decoding a huge submitted PNG) left the workers' heartbeats and progress unread in the
                // socket: judge silence and leases only after the next turn has read them.
                checkTimers(now: now, judge: now - turnStart < 0.5)
                collectAssemblies()
                collectSubmits()
                collectCausalBases()
                flushPreviews(now: now)
            }
            collectWrites()
            pumpLatentStages()
            dispatch(now: now)
            flushWrites()
            sendWatchUpdates()
            if now - lastCounterPublish >= 0.05 {
                lastCounterPublish = now
                coordinator.publish(counters)
            }
        }
    }

    /// Takes every message waiting on `socket` (bounded, so one busy socket cannot starve the other).
    private func drain(_ socket: ZMQSocket, handle: (Data, Message, Double) -> Void) {
        for _ in 0..<2_000 {
            let frames: [Data]?
            do { frames = try socket.tryReceive() } catch {
                if error.kind == .messageTooLarge {
                    counters.drop("too_large")
                    logger.warning("dropped an oversized message (more frames than allowed)")
                    continue
                }
                logger.warning("receive failed: \(error)")
                return
            }
            guard let frames else { return }
            counters.messagesReceived += 1
            let received = ReceivedMessage.decode(frames, socketType: .router, limits: .default)
            guard let routingID = received.routingID else {
                counters.drop("no_routing_id")
                continue
            }
            switch received.result {
            case .success(let message):
                handle(routingID, message, monotonicNow())
            case .failure(let error):
                counters.drop(error.protocolCode.name)
                logger.warning("dropped a message from \(routeName(routingID)): \(error)")
                let reply = Message.error(ErrorReport(code: error.protocolCode, message: "\(error)"))
                try? socket.send(reply, to: routingID)
            }
        }
    }

    // MARK: Worker messages

    private func handleWorkerMessage(_ routingID: Data, _ message: Message, _ now: Double) {
        if case .hello(let hello) = message {
            handleHello(routingID, hello, now)
            return
        }
        guard var worker = workers[routingID] else {
            // A worker we do not know (typically: we restarted). It re-registers on NOT_REGISTERED.
            counters.drop("not_registered")
            try? workerSocket.send(
                .error(ErrorReport(code: .notRegistered, message: "send HELLO first")), to: routingID)
            return
        }
        worker.lastSeen = now
        workers[routingID] = worker
        scheduler.touch(worker: worker.id, now: now)
        switch message {
        case .ready(let ready):
            scheduler.addCredits(worker: worker.id, Int(ready.credit), now: now)
        case .progress(let progress):
            let key = schedulerKey(for: progress.tile)
            if !scheduler.renew(key, worker: worker.id, now: now) { counters.drop("stale_attempt") }
        case .heartbeat(let heartbeat):
            workers[routingID]?.state = heartbeat.state
            workers[routingID]?.currentJob = heartbeat.jobID
            workers[routingID]?.currentTile = heartbeat.tileID
            // Deliberately no lease renewal here: heartbeats come from the socket thread and prove the process is
            // alive, not that the render advances. Only PROGRESS renews, so a hung renderer loses its tile.
        case .result(let result):
            handleResult(worker, result, now)
        case .failed(let failure):
            handleFailure(worker, failure, now)
        case .disconnect(let bye):
            logger.info("worker \(worker.id) disconnected: \(bye.message.isEmpty ? "\(bye.code.name)" : bye.message)")
            removeWorker(routingID, reason: "disconnected")
        case .error(let report):
            logger.warning("worker \(worker.id) reported error \(report.code.name): \(report.message)")
        default:
            counters.drop("unexpected_command")
            logger.warning("dropped \(message.command.name) from worker \(worker.id): not a worker command")
            trySend(.error(ErrorReport(code: .unknownCommand, message: "\(message.command.name) not accepted here")),
                to: worker)
        }
    }

    private func handleHello(_ routingID: Data, _ hello: Hello, _ now: Double) {
        guard hello.versions.contains(WireProtocol.version) else {
            counters.drop("unsupported_version")
            logger.warning("worker \(hello.workerID) speaks protocol \(hello.versions), not \(WireProtocol.version)")
            try? workerSocket.send(
                .error(ErrorReport(code: .unsupportedVersion, message: "coordinator speaks version \(WireProtocol.version)")),
                to: routingID)
            try? workerSocket.send(.disconnect(Disconnect(code: .unsupportedVersion)), to: routingID)
            return
        }
        if workers[routingID] != nil {
            // Re-registration (the worker lost us for a while): whatever it was given before may be gone.
            removeWorker(routingID, reason: "re-registered")
        }
        let id = hello.workerID
        let models = ModelInventory(wire: hello.models)
        let worker = ConnectedWorker(
            id: id, routingID: routingID, hello: hello, models: models, lastSeen: now, lastSent: now)
        workers[routingID] = worker
        workerRoutes[id] = routingID
        scheduler.registerWorker(id: id, renderers: Set(hello.renderers), models: models, freeSlots: 0, now: now)
        let capabilities = JSONText.encode([
            "renderers": hello.renderers, "models": hello.models.map(\.name), "software": [hello.software],
            "threads": ["\(hello.threads)"],
        ])
        let time = wallNow()
        pendingWrites.append { try $0.upsertWorker(id: id, capabilitiesJSON: capabilities, now: time) }
        trySend(
            .welcome(
                Welcome(
                    heartbeatMilliseconds: UInt32(config.heartbeatMs), liveness: UInt8(clamping: config.liveness),
                    coordinatorID: coordinatorID)), to: worker)
        logger.info(
            "worker \(id) registered: \(hello.threads) threads, renderers \(hello.renderers.joined(separator: ",")), \(hello.models.count) models")
    }

    private func handleResult(_ worker: ConnectedWorker, _ result: TileResult, _ now: Double) {
        if handleLatentResult(worker, result) { return }
        let key = TileKey(jobId: result.tile.jobID, index: Int(result.tile.tileID))
        workers[worker.routingID]?.currentJob = ""
        guard let job = active[key.jobId], key.index < job.plan.tileCount else {
            if let done = finished[key.jobId], done.state == .done, let payload = result.payloads.first {
                // A late duplicate for a job that is already finished: still compared with what was kept.
                compareDuplicate(key, pixels: payload.bytes, folder: JobFolder(stateDir: config.stateDir, jobId: done.id),
                    from: worker)
            } else {
                counters.drop(finished[key.jobId] == nil ? "unknown_job" : "job_not_active")
            }
            return
        }
        let rect = job.plan.renderRect(key.index)
        guard let payload = result.payloads.first, payload.format == .rgba8, payload.width == rect.width,
            payload.height == rect.height
        else {
            counters.drop("bad_result")
            logger.warning("worker \(worker.id) sent a result for \(key) with the wrong size or format")
            _ = failTile(key, worker: worker, fatal: false, reason: "result has the wrong size or format")
            return
        }
        var companions: [(path: String, bytes: [UInt8])] = []
        if job.plan.spec.generation != nil {
            guard result.payloads.count == 2, result.payloads[1].format == .opaque,
                let text = String(bytes: result.payloads[1].bytes, encoding: .utf8), !text.isEmpty
            else {
                counters.drop("bad_result")
                logger.warning("worker \(worker.id) sent a generation result for \(key) without its parameters text")
                _ = failTile(key, worker: worker, fatal: false, reason: "generation result carries no parameters text")
                return
            }
            companions.append((job.folder.parametersPath(key.index), Array(text.utf8)))
        }
        let pixels = [UInt8](payload.bytes)
        let file = TileResultFile(x: rect.x, y: rect.y, width: rect.width, height: rect.height, pixels: pixels)
        if scheduler.isDone(key) {
            compareDuplicate(key, pixels: payload.bytes, folder: job.folder, from: worker)
            return
        }
        let outcome = scheduler.complete(key, worker: worker.id)
        guard outcome.isNew else { return }
        if outcome.endedLease == nil || outcome.endedLease?.workerId != worker.id { counters.lateResultsAccepted += 1 }
        workers[worker.routingID]?.tilesDone += 1
        counters.tilesAccepted += 1
        // Durable before it counts: the write queue syncs and renames the file, then `collectWrites` marks it done.
        let checksum = file.checksum
        persisting[key] = checksum
        previewTileFinished(key, job: job, file: file, workerId: worker.id)
        tileWriter.submit(TileWriteQueue.Request(
            key: key, path: job.folder.tilePath(key.index), bytes: file.encoded(), checksum: checksum,
            workerId: worker.id, attemptRowId: outcome.endedLease?.attemptRowId, companions: companions))
    }

    /// Marks tiles whose files are now durable as done (in one store transaction with the rest of the iteration),
    /// and starts assembling jobs whose last tile just became durable.
    func collectWrites() {
        let written = tileWriter.takeFinished()
        guard !written.isEmpty else { return }
        tileWriter.markTaken(written.count)
        let time = wallNow()
        var touched: Set<String> = []
        for (request, failure) in written {
            persisting.removeValue(forKey: request.key)
            let key = request.key
            guard active[key.jobId] != nil else { continue }
            if let failure {
                logger.error("cannot store tile \(key): \(failure); it will be rendered again")
                scheduler.reopen(key)
                continue
            }
            counters.tilesCompleted += 1
            let checksum = hex64(request.checksum), workerId = request.workerId, row = request.attemptRowId
            pendingWrites.append { tx in
                try tx.markTileDone(jobId: key.jobId, index: key.index, checksum: checksum, workerId: workerId)
                if let row { try tx.endAttempt(id: row, outcome: "done", now: time) }
            }
            dirtyJobs.insert(key.jobId)
            touched.insert(key.jobId)
        }
        for jobId in touched { startCausalBaseIfDue(jobId) }
        for jobId in touched where scheduler.isComplete(jobId) && !persisting.keys.contains(where: { $0.jobId == jobId }) {
            flushWrites()
            startAssembly(jobId)
        }
    }

    /// A result for a tile that is already done (a retry raced the original, or a replayed message): compare its
    /// checksum with the stored tile, count it, drop it.
    private func compareDuplicate(_ key: TileKey, pixels: Data, folder: JobFolder, from worker: ConnectedWorker) {
        counters.duplicateResults += 1
        counters.drop("duplicate")
        let checksum = fnv1a64([UInt8](pixels))
        let kept = persisting[key] ?? (try? TileResultFile.load(folder.tilePath(key.index)))?.checksum
        if let kept, kept != checksum {
            counters.duplicateMismatches += 1
            logger.error("duplicate result for \(key) from \(worker.id) differs from the stored one (kept stored)")
        } else {
            logger.info("duplicate result for \(key) from \(worker.id) matches the stored tile; ignored")
        }
    }

    private func handleFailure(_ worker: ConnectedWorker, _ failure: TileFailure, _ now: Double) {
        let key = schedulerKey(for: failure.tile)
        workers[worker.routingID]?.currentJob = ""
        guard active[key.jobId] != nil || isLatentStageJob(key.jobId) else { return }
        switch failure.code {
        case .unknownJob where failure.retryable:
            // The worker no longer caches this job's source: send it again with the retry; not the tile's fault.
            workers[worker.routingID]?.sourcesSent.remove(failure.tile.jobID)
            releaseTile(key, worker: worker)
        case .shuttingDown, .cancelled:
            releaseTile(key, worker: worker)
        default:
            logger.warning(
                "worker \(worker.id) failed \(key) (\(failure.code.name), \(failure.retryable ? "retryable" : "fatal")): \(failure.message)"
            )
            _ = failTile(key, worker: worker, fatal: !failure.retryable, reason: failure.message)
        }
    }

    func releaseTile(_ key: TileKey, worker: ConnectedWorker) {
        let lease = scheduler.lease(of: key)
        if scheduler.release(key, worker: worker.id) {
            previews.stopped(jobId: key.jobId, tile: key.index)
            counters.tilesRequeued += 1
            if let row = lease?.attemptRowId {
                let time = wallNow()
                pendingWrites.append { try $0.endAttempt(id: row, outcome: "released", now: time) }
            }
        }
    }

    /// Applies a failed or lost attempt; fails the job when the tile is out of attempts or the error is fatal.
    @discardableResult
    func failTile(_ key: TileKey, worker: ConnectedWorker?, workerId: String? = nil, fatal: Bool, reason: String)
        -> TileScheduler.FailureOutcome
    {
        let id = worker?.id ?? workerId ?? ""
        let lease = scheduler.lease(of: key)
        let outcome = scheduler.fail(key, worker: id, fatal: fatal, reason: reason)
        recordFailure(key, lease: lease, workerId: id, reason: reason, outcome: outcome)
        return outcome
    }

    private func recordFailure(
        _ key: TileKey, lease: TileScheduler.Lease?, workerId: String, reason: String,
        outcome: TileScheduler.FailureOutcome
    ) {
        guard outcome != .ignored else { return }
        previews.stopped(jobId: key.jobId, tile: key.index)
        let time = wallNow()
        pendingWrites.append { tx in
            if let row = lease?.attemptRowId { try tx.endAttempt(id: row, outcome: "failed", reason: reason, now: time) }
            try tx.incrementTileFailures(jobId: key.jobId, index: key.index)
        }
        switch outcome {
        case .requeued(let blocklisted):
            counters.tilesRequeued += 1
            if blocklisted {
                logger.warning("worker \(workerId) blocklisted for job \(key.jobId) after repeated failures")
                pendingWrites.append { try $0.blocklist(jobId: key.jobId, workerId: workerId) }
            }
        case .jobFailed(let why):
            failJob(key.jobId, reason: why)
        case .ignored:
            break
        }
    }

    private func removeWorker(_ routingID: Data, reason: String) {
        guard let worker = workers.removeValue(forKey: routingID) else { return }
        if workerRoutes[worker.id] == routingID { workerRoutes.removeValue(forKey: worker.id) }
        for (key, lease, outcome) in scheduler.removeWorker(worker.id) {
            logger.info("tile \(key) back in the queue: worker \(worker.id) \(reason)")
            recordFailure(key, lease: lease, workerId: worker.id, reason: "worker \(reason)", outcome: outcome)
        }
    }

    // MARK: Timers

    private func checkTimers(now: Double, judge: Bool) {
        for worker in workers.values where now - worker.lastSent >= heartbeatSeconds {
            trySend(.heartbeat(Heartbeat(state: .idle)), to: worker)
        }
        guard judge else { return }
        for (routingID, worker) in workers where now - worker.lastSeen > deadAfterSeconds {
            counters.workersLost += 1
            logger.warning("worker \(worker.id) silent for \(Int(deadAfterSeconds * 1000)) ms: presumed dead")
            removeWorker(routingID, reason: "lost (no heartbeat)")
        }
        for (key, lease) in scheduler.expiredLeases(now: now) {
            logger.warning("lease of \(key) held by \(lease.workerId) expired; re-queueing")
            failTile(key, worker: nil, workerId: lease.workerId, fatal: false, reason: "lease expired")
        }
        for (id, upload) in uploads where now - upload.lastTouched > 600 {
            uploads.removeValue(forKey: id)
        }
    }

    // MARK: Dispatch

    private func dispatch(now: Double) {
        let time = wallNow()
        let assignments = scheduler.dispatch(now: now, isReady: { self.dependenciesDurable($0) && self.causalBaseReady($0) }) { key, workerId in
            let rowId = nextAttemptId
            nextAttemptId += 1
            pendingWrites.append {
                try $0.insertAttempt(id: rowId, jobId: key.jobId, index: key.index, workerId: workerId, now: time)
            }
            let pixels = active[key.jobId].map { $0.plan.renderRect(key.index).area } ?? latentLeasePixels(key) ?? 0
            return (config.leaseSeconds(tilePixels: pixels), rowId)
        }
        for assignment in assignments {
            if dispatchLatentStage(assignment.key, workerId: assignment.workerId, attempt: assignment.attempt) { continue }
            guard let routingID = workerRoutes[assignment.workerId], let worker = workers[routingID],
                var job = active[assignment.key.jobId]
            else { continue }
            counters.tilesAssigned += 1
            if job.stored.state == .queued {
                job.stored.state = .running
                let id = job.stored.id
                pendingWrites.append { $0.setJobState(id, .running, now: time) }
                dirtyJobs.insert(id)
            }
            var payloads: [Payload] = []
            var sourceWindow: PixelRect? = nil
            if job.plan.rendersFromSourceWindows {
                let rect = job.plan.sourceWindow(forTile: assignment.key.index)
                guard let pixels = loadSource(&job) else {
                    active[job.stored.id] = job
                    continue
                }
                let window = pixels.withUnsafeBytes { RGBAImage.crop(rgba: $0, width: job.plan.sourceWidth, to: rect) }
                payloads.append(.image(.context, format: .rgba8, width: rect.width, height: rect.height, pixels: Data(window)))
                sourceWindow = rect
            } else if !worker.sourcesSent.contains(job.stored.id) {
                guard let pixels = loadSource(&job) else {
                    active[job.stored.id] = job
                    continue
                }
                payloads.append(
                    .image(.context, format: .rgba8, width: job.plan.sourceWidth, height: job.plan.sourceHeight,
                        pixels: pixels))
                workers[routingID]?.sourcesSent.insert(job.stored.id)
            }
            guard let extra = extraTilePayloads(for: assignment.key.index, job: &job) else {
                if scheduler.hasJob(job.stored.id) { active[job.stored.id] = job }
                continue
            }
            payloads += extra
            active[job.stored.id] = job
            let rect = job.plan.renderRect(assignment.key.index)
            let lease = scheduler.lease(of: assignment.key)
            var parameters = TileParameters(
                spec: job.stored.spec, sourceWidth: job.plan.sourceWidth, sourceHeight: job.plan.sourceHeight)
            parameters.sourceWindow = sourceWindow
            let message = Message.tile(
                TileAssignment(
                    tile: TileRef(
                        jobID: assignment.key.jobId, tileID: UInt32(assignment.key.index),
                        attempt: UInt32(assignment.attempt)),
                    leaseMilliseconds: UInt32(max(1, (lease?.leaseSeconds ?? 30) * 1000)),
                    rect: TileRect(x: UInt32(rect.x), y: UInt32(rect.y), width: UInt32(rect.width), height: UInt32(rect.height)),
                    parameters: .json(JSONText.encode(parameters)), payloads: payloads))
            workers[routingID]?.state = .busy
            workers[routingID]?.currentJob = assignment.key.jobId
            workers[routingID]?.currentTile = UInt32(assignment.key.index)
            previewTileStarted(assignment.key, job: job, workerId: worker.id)
            sendTile(message, key: assignment.key, to: worker)
        }
    }

    /// Sends a TILE. One that cannot leave never reaches the worker, so it goes straight back to the queue instead of
    /// waiting on a lease that would expire with nobody working. Too large for the wire: the worker gets its credit
    /// back and the job fails (resending cannot help). Any other refusal means the worker's connection is gone
    /// (ROUTER_MANDATORY: host unreachable): it is dropped now, and re-registers when it reconnects.
    func sendTile(_ message: Message, key: TileKey, to worker: ConnectedWorker) {
        do {
            try workerSocket.send(message, to: worker.routingID)
            workers[worker.routingID]?.lastSent = monotonicNow()
        } catch {
            logger.warning("tile \(key) could not be sent to \(worker.id): \(error)")
            workers[worker.routingID]?.state = .idle
            workers[worker.routingID]?.currentJob = ""
            releaseTile(key, worker: worker)
            if case WireError.tooLarge(let what, let size, let limit) = error {
                scheduler.addCredits(worker: worker.id, 1, now: monotonicNow())
                let jobId = LatentStageKey(schedulerKey: key)?.jobId ?? key.jobId
                // Generation jobs and tiled-diffusion stages ship the whole source; upscale tiles only their window.
                let advice = active[jobId].map { $0.plan.rendersFromSourceWindows } ?? true
                    ? "use smaller tiles"
                    : "this job sends each worker the whole source; use a smaller source or a feathered / USDU tile mode"
                failJob(jobId, reason: "tile \(key.index) does not fit in one message (\(what) \(size) bytes, limit \(limit)): \(advice)")
            } else {
                removeWorker(worker.routingID, reason: "unreachable")
            }
        }
    }

    func loadSource(_ job: inout ActiveJob) -> Data? {
        if let pixels = job.sourcePixels { return pixels }
        do {
            let image = try PNGImage.read(path: job.folder.sourcePath).rgba8
            job.sourcePixels = Data(image.pixels)
            return job.sourcePixels
        } catch {
            failJob(job.stored.id, reason: "cannot read source image: \(error)")
            return nil
        }
    }

    // MARK: Jobs

    func failJob(_ id: String, reason: String) {
        if let stage = LatentStageKey(schedulerKey: TileKey(jobId: id, index: 0)) {
            failJob(stage.jobId, reason: reason)
            return
        }
        stopLatentDiffusion(id, reason: reason)
        guard var job = active.removeValue(forKey: id) else { return }
        counters.jobsFailed += 1
        logger.error("job \(id) failed: \(reason)")
        revokeLeases(scheduler.removeJob(id), jobId: id)
        let time = wallNow()
        try? store.setJobState(id, .failed, error: reason, now: time)
        job.stored.state = .failed
        job.stored.error = reason
        job.stored.finishedAt = time
        finished[id] = job.stored
        dirtyJobs.insert(id)
        previews.end(jobId: id)
    }

    private func revokeLeases(_ leases: [TileKey: TileScheduler.Lease], jobId: String) {
        let holders = Set(leases.values.map(\.workerId))
        for workerId in holders {
            guard let route = workerRoutes[workerId], let worker = workers[route] else { continue }
            trySend(.revoke(Revoke(jobID: jobId)), to: worker)
        }
        let time = wallNow()
        for lease in leases.values {
            let row = lease.attemptRowId
            pendingWrites.append { try $0.endAttempt(id: row, outcome: "revoked", now: time) }
        }
    }

    func startAssembly(_ id: String) {
        guard let job = active[id], !job.assembling else { return }
        active[id]?.assembling = true
        assembler.assemble(job: job.stored, plan: job.plan, folder: job.folder, logger: logger)
    }

    private func collectAssemblies() {
        for (id, result) in assembler.takeFinished() {
            guard var job = active.removeValue(forKey: id) else { continue }
            scheduler.removeJob(id)
            let time = wallNow()
            switch result {
            case .success(let bytes):
                try? store.setJobState(id, .done, now: time)
                job.stored.state = .done
                counters.jobsCompleted += 1
                logger.info("job \(id) done: \(job.folder.outputPath) (\(bytes) bytes)")
            case .failure(let error):
                try? store.setJobState(id, .failed, error: "\(error)", now: time)
                job.stored.state = .failed
                job.stored.error = "\(error)"
                counters.jobsFailed += 1
                logger.error("job \(id) could not be assembled: \(error)")
            }
            job.stored.finishedAt = time
            finished[id] = job.stored
            dirtyJobs.insert(id)
            previews.end(jobId: id)
        }
    }

    // MARK: Output

    func trySend(_ message: Message, to worker: ConnectedWorker) {
        do {
            try workerSocket.send(message, to: worker.routingID)
            workers[worker.routingID]?.lastSent = monotonicNow()
        } catch {
            logger.debug("send \(message.command.name) to \(worker.id) failed: \(error)")
        }
    }

    func flushWrites() {
        guard !pendingWrites.isEmpty else { return }
        let writes = pendingWrites
        pendingWrites.removeAll(keepingCapacity: true)
        do {
            try store.transaction { tx in for write in writes { try write(tx) } }
        } catch {
            logger.error("job store write failed: \(error)")
        }
    }

    func routeName(_ routingID: Data) -> String {
        if let worker = workers[routingID] { return "worker \(worker.id)" }
        if let text = String(data: routingID, encoding: .utf8), text.allSatisfy({ $0.isASCII && !$0.isNewline }),
            !text.isEmpty
        {
            return "peer \(text)"
        }
        return "peer 0x" + routingID.map { String(format: "%02x", $0) }.joined()
    }
}

/// Seconds on the monotonic clock (leases, heartbeats).
func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Seconds since 1970 (stored timestamps).
func wallNow() -> Double { Date().timeIntervalSince1970 }
