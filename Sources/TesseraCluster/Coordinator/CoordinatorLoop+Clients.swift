import Foundation
import TOMLKit
import TesseraImageOps
import TesseraImaging
import TesseraWire
import TesseraZMQ

/// Client requests (submit, status, watch, cancel, fetch, workers, upload), answered on the client socket.
extension CoordinatorLoop {
    func handleClientMessage(_ routingID: Data, _ message: Message, _ now: Double) {
        // Answers describe what is on disk: commit what this iteration has recorded so far first.
        flushWrites()
        switch message {
        case .submit(let submit):
            do {
                intake.check(try intakeRequest(submit, routingID: routingID))
            } catch {
                reply(.error(ErrorReport(requestID: submit.requestID, code: .invalidParameters, message: "\(error)")),
                    to: routingID)
            }
        case .upload(let chunk):
            handleUpload(chunk, routingID: routingID, now: now)
        case .status(let request):
            if request.jobID.isEmpty {
                let records = allJobIds().compactMap(statusRecord)
                reply(.jobStatus(JobStatusReply(requestID: request.requestID, jobs: records)), to: routingID)
            } else if let record = statusRecord(request.jobID) {
                reply(.jobStatus(JobStatusReply(requestID: request.requestID, jobs: [record])), to: routingID)
            } else {
                reply(unknownJob(request.requestID, request.jobID), to: routingID)
            }
        case .watch(let request):
            guard let record = statusRecord(request.jobID) else {
                reply(unknownJob(request.requestID, request.jobID), to: routingID)
                return
            }
            reply(.update(JobUpdate(requestID: request.requestID, job: record)), to: routingID)
            if !record.state.isFinal {
                watchers[request.jobID, default: []].append((routingID, request.requestID))
            }
        case .cancel(let request):
            cancelJob(request, routingID: routingID)
        case .fetch(let request):
            fetch(request, routingID: routingID)
        case .workers(let request):
            reply(.workerList(WorkerListReply(requestID: request.requestID, workers: workerRecords(now: now))),
                to: routingID)
        default:
            counters.drop("unexpected_command")
            logger.warning("dropped \(message.command.name) from client \(routeName(routingID)): not a client command")
            reply(.error(ErrorReport(code: .unknownCommand, message: "\(message.command.name) not accepted here")),
                to: routingID)
        }
    }

    private func unknownJob(_ requestID: UInt32, _ id: String) -> Message {
        .error(ErrorReport(requestID: requestID, code: .unknownJob, message: "unknown job \(id)"))
    }

    private func reply(_ message: Message, to routingID: Data) {
        do { try clientSocket.send(message, to: routingID) } catch {
            logger.debug("reply \(message.command.name) to \(routeName(routingID)) failed: \(error)")
        }
    }

    // MARK: Submit

    /// The part of a SUBMIT that needs the loop's state (uploads, the workers' models); the rest is checked by the
    /// intake queue off the loop.
    private func intakeRequest(_ submit: SubmitJob, routingID: Data) throws -> SubmitIntakeQueue.Request {
        var document: SubmitDocument
        switch submit.spec.format {
        case .json:
            document = try JSONText.decode(SubmitDocument.self, submit.spec.text, what: "job")
        case .toml:
            do {
                document = try TOMLDecoder().decode(SubmitDocument.self, from: submit.spec.text)
            } catch {
                throw ClusterError.invalidParameter(field: "job", reason: "\(error)")
            }
        }
        let png: Data?
        if let uploadId = document.uploadId {
            guard let upload = uploads.removeValue(forKey: uploadId) else {
                throw ClusterError.invalidParameter(field: "upload_id", reason: "no upload \(uploadId) in progress")
            }
            guard UInt64(upload.data.count) == upload.total else {
                throw ClusterError.invalidParameter(
                    field: "upload_id", reason: "upload \(uploadId) has \(upload.data.count) of \(upload.total) bytes")
            }
            png = upload.data
        } else if let payload = submit.payloads.first(where: { $0.role == .initImage }) {
            png = payload.bytes
        } else if document.job.generation != nil {
            png = nil  // txt2img; any other mode is refused by the check, naming what is missing
        } else {
            throw ClusterError.invalidParameter(field: "image", reason: "the job carries no source image")
        }
        // "tile" names whichever Tile ControlNet the connected workers have; fixed now so every tile uses the same.
        document.job = try TileControlNetShorthand.resolve(document.job, available: workers.values.flatMap { $0.models.names(of: .controlNet) })
        return SubmitIntakeQueue.Request(
            routingID: routingID, requestID: submit.requestID, document: document, png: png,
            maskPNG: submit.payloads.first(where: { $0.role == .mask })?.bytes,
            hintPNGs: submit.payloads.filter { $0.role == .hint }.map(\.bytes),
            name: document.sourceName ?? (png == nil ? "txt2img canvas" : "source image"))
    }

    /// Registers the jobs the intake queue has checked, and answers their clients.
    func collectSubmits() {
        for (request, result) in intake.takeFinished() {
            flushWrites()
            do {
                let id = try registerJob(try result.get())
                reply(.accepted(JobAccepted(requestID: request.requestID, jobID: id)), to: request.routingID)
            } catch {
                reply(.error(ErrorReport(requestID: request.requestID, code: .invalidParameters, message: "\(error)")),
                    to: request.routingID)
            }
        }
    }

    private func registerJob(_ checked: SubmitIntakeQueue.Checked) throws -> String {
        let (document, image, plan, inpaint, generation) = (checked.document, checked.image, checked.plan, checked.inpaint, checked.generation)
        let (png, maskPNG, name) = (checked.request.png, checked.request.maskPNG, checked.request.name)
        let id = newJobId()
        let folder = JobFolder(stateDir: config.stateDir, jobId: id)
        try folder.create()
        if let png {
            try AtomicFile.write([UInt8](png), to: folder.sourcePath)
        } else {
            try image.writePNG(to: folder.sourcePath + ".tmp")
            try AtomicFile.commit(temporaryPath: folder.sourcePath + ".tmp", to: folder.sourcePath)
        }
        if let maskPNG { try AtomicFile.write([UInt8](maskPNG), to: folder.maskPath) }
        if generation != nil {
            for (k, hint) in checked.request.hintPNGs.enumerated() {
                try AtomicFile.write([UInt8](hint), to: folder.hintPath(k))
            }
        }
        let stored = try store.insertJob(
            id: id, spec: document.job, sourceWidth: image.width, sourceHeight: image.height,
            tileCount: plan.tileCount, now: wallNow())
        if document.job.tiledDiffusion == nil {
            scheduler.addJob(
                id: id, priority: stored.priority, seq: stored.seq, renderer: document.job.tileRendererName,
                tileCount: plan.tileCount, pendingInOrder: inpaint?.affected ?? plan.dispatchOrder,
                done: inpaint.map { Set(plan.dispatchOrder).subtracting($0.affected) } ?? [],
                dependencies: plan.dependencyMap, requirements: document.job.modelRequirements)
        }
        active[id] = ActiveJob(
            stored: stored, plan: plan, folder: folder, sourcePixels: Data(image.pixels),
            inpaintMask: inpaint?.mask ?? generation?.mask, hints: generation?.hints ?? [])
        startLatentDiffusion(id)
        startCausalBaseIfDue(id)
        if let inpaint, inpaint.affected.isEmpty { startAssembly(id) }
        logger.info(
            "job \(id) submitted: \(name) \(image.width)×\(image.height) → \(plan.outputWidth)×\(plan.outputHeight), \(plan.tileCount) tiles, priority \(stored.priority)"
        )
        return id
    }

    private func newJobId() -> String {
        var id: String
        repeat {
            id = "j" + String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
        } while active[id] != nil || finished[id] != nil
        return id
    }

    private func handleUpload(_ chunk: UploadChunk, routingID: Data, now: Double) {
        let limit = UInt64(1) << 32
        guard chunk.totalLength <= limit, !chunk.uploadID.isEmpty else {
            reply(.error(ErrorReport(requestID: chunk.requestID, code: .tooLarge, message: "upload too large")),
                to: routingID)
            return
        }
        var upload = uploads[chunk.uploadID] ?? (Data(), chunk.totalLength, now)
        guard chunk.offset == UInt64(upload.data.count), upload.total == chunk.totalLength,
            chunk.offset + UInt64(chunk.chunk.count) <= chunk.totalLength
        else {
            reply(.error(ErrorReport(
                requestID: chunk.requestID, code: .outOfRange,
                message: "upload \(chunk.uploadID): expected offset \(upload.data.count), got \(chunk.offset)")),
                to: routingID)
            return
        }
        upload.data.append(chunk.chunk)
        upload.lastTouched = now
        uploads[chunk.uploadID] = upload
        reply(.ok(OKReply(requestID: chunk.requestID)), to: routingID)
    }

    // MARK: Status

    func allJobIds() -> [String] {
        let all = Array(active.values.map(\.stored)) + Array(finished.values)
        return all.sorted { $0.seq < $1.seq }.map(\.id)
    }

    func statusRecord(_ id: String) -> JobStatusRecord? {
        let stored: StoredJob
        var done: Int
        var running: Int
        var retried = 0
        if let job = active[id] {
            retried = scheduler.retriedCount(of: id)
            stored = job.stored
            // Tiles still being written are not done yet as far as anyone outside is concerned.
            done = scheduler.doneCount(of: id) - persisting.keys.filter { $0.jobId == id }.count
            running = scheduler.leasedCount(of: id)
        } else if let job = finished[id] {
            stored = job
            done = job.state == .done ? job.tileCount : ((try? store.tiles(of: id))?.filter { $0.state == .done }.count ?? 0)
            running = 0
        } else {
            return nil
        }
        let state: WireJobState
        switch stored.state {
        case .queued: state = .queued
        case .running: state = .running
        case .done: state = .done
        case .failed: state = .failed
        case .cancelled: state = .cancelled
        }
        var resultBytes: UInt64 = 0
        if stored.state == .done,
            let size = (try? FileManager.default.attributesOfItem(
                atPath: JobFolder(stateDir: config.stateDir, jobId: id).outputPath))?[.size] as? NSNumber
        {
            resultBytes = size.uint64Value
        }
        var total = stored.tileCount
        if let latent = latentProgress(id) { (done, running, total) = (latent.done, latent.running, latent.total) }
        return JobStatusRecord(
            jobID: id, state: state, tilesTotal: UInt32(total), tilesDone: UInt32(done),
            tilesRunning: UInt32(running), tilesFailed: UInt32(retried),
            progress: total > 0 ? Double(done) / Double(total) : 0, resultBytes: resultBytes,
            message: stored.error ?? waitingReason(stored) ?? "priority \(stored.priority)")
    }

    /// Why a queued job is not moving, when the cause is visible from here: no workers, no worker with the renderer,
    /// no worker with the job's models (named, so the user knows what to install where), or only blocklisted ones.
    private func waitingReason(_ job: StoredJob) -> String? {
        guard !job.state.isFinal, scheduler.leasedCount(of: job.id) == 0 else { return nil }
        if workers.isEmpty { return "priority \(job.priority), waiting for workers" }
        let schedulerIds = [job.id] + latentJobs.stages.keys.filter {
            LatentStageKey(schedulerKey: TileKey(jobId: $0, index: 0))?.jobId == job.id
        }.sorted()
        guard let needs = schedulerIds.lazy.compactMap({ self.scheduler.unmetNeeds(of: $0) }).first else { return nil }
        if let renderer = needs.renderer {
            return "priority \(job.priority), waiting for a worker that offers \"\(renderer)\""
        }
        if !needs.blocklisted.isEmpty {
            return "priority \(job.priority), waiting for a worker that is not blocklisted for this job (\(needs.blocklisted.joined(separator: ", ")) failed too many of its tiles); start another worker, or cancel it"
        }
        let models = needs.models.map(\.description).joined(separator: ", ")
        return "priority \(job.priority), waiting for a worker with \(models) (no connected worker has \(needs.models.count == 1 ? "it" : "them"))"
    }

    func workerRecords(now: Double) -> [WorkerRecord] {
        workers.values.sorted { $0.id < $1.id }.map { w in
            WorkerRecord(
                workerID: w.id, state: w.state, jobID: w.currentJob, tileID: w.currentTile, threads: w.hello.threads,
                tilesDone: w.tilesDone, lastSeenMilliseconds: UInt32(clamping: Int((now - w.lastSeen) * 1000)))
        }
    }

    /// Sends an UPDATE to every watcher of a job that changed; final states end the watch.
    func sendWatchUpdates() {
        guard !dirtyJobs.isEmpty else { return }
        let changed = dirtyJobs
        dirtyJobs.removeAll()
        for id in changed {
            guard let list = watchers[id], let record = statusRecord(id) else { continue }
            for watcher in list {
                reply(.update(JobUpdate(requestID: watcher.requestID, job: record)), to: watcher.routingID)
            }
            if record.state.isFinal { watchers.removeValue(forKey: id) }
        }
    }

    // MARK: Cancel and fetch

    private func cancelJob(_ request: CancelRequest, routingID: Data) {
        guard var job = active.removeValue(forKey: request.jobID) else {
            if let done = finished[request.jobID] {
                reply(.error(ErrorReport(
                    requestID: request.requestID, code: .outOfRange,
                    message: "job \(request.jobID) is already \(done.state.rawValue)")), to: routingID)
            } else {
                reply(unknownJob(request.requestID, request.jobID), to: routingID)
            }
            return
        }
        stopLatentDiffusion(request.jobID, reason: "cancelled by client")
        let leases = scheduler.removeJob(request.jobID)
        for workerId in Set(leases.values.map(\.workerId)) {
            guard let route = workerRoutes[workerId], let worker = workers[route] else { continue }
            trySend(.revoke(Revoke(jobID: request.jobID)), to: worker)
        }
        let time = wallNow()
        for lease in leases.values {
            let row = lease.attemptRowId
            pendingWrites.append { try $0.endAttempt(id: row, outcome: "revoked", now: time) }
        }
        flushWrites()
        try? store.setJobState(request.jobID, .cancelled, error: "cancelled by client", now: time)
        job.stored.state = .cancelled
        job.stored.error = "cancelled by client"
        finished[request.jobID] = job.stored
        dirtyJobs.insert(request.jobID)
        previews.end(jobId: request.jobID)
        logger.info("job \(request.jobID) cancelled")
        reply(.ok(OKReply(requestID: request.requestID)), to: routingID)
    }

    private func fetch(_ request: FetchRequest, routingID: Data) {
        guard let job = finished[request.jobID] ?? active[request.jobID]?.stored else {
            reply(unknownJob(request.requestID, request.jobID), to: routingID)
            return
        }
        guard job.state == .done else {
            let why = job.state == .failed ? "failed: \(job.error ?? "")" : "is \(job.state.rawValue), not done"
            reply(.error(ErrorReport(
                requestID: request.requestID, code: .jobNotFinished, message: "job \(request.jobID) \(why)")),
                to: routingID)
            return
        }
        let path = JobFolder(stateDir: config.stateDir, jobId: job.id).outputPath
        guard let handle = FileHandle(forReadingAtPath: path) else {
            reply(.error(ErrorReport(
                requestID: request.requestID, code: .internalError, message: "output of \(job.id) is missing")),
                to: routingID)
            return
        }
        defer { try? handle.close() }
        let total = (try? handle.seekToEnd()) ?? 0
        let offset = min(request.offset, total)
        try? handle.seek(toOffset: offset)
        let length = Int(min(UInt64(min(request.maxLength, 16 << 20)), total - offset))
        let bytes = (try? handle.read(upToCount: length)) ?? Data()
        reply(.chunk(ResultChunk(
            requestID: request.requestID, jobID: job.id, offset: offset, totalLength: total, chunk: bytes)),
            to: routingID)
    }
}
