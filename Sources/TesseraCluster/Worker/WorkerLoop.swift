import Foundation
import Logging
import Synchronization
import TesseraImageOps
import TesseraImaging
import TesseraWire
import TesseraZMQ

/// The worker's socket thread: connection, registration, credits, heartbeats, reconnects and draining.
final class WorkerLoop {
    let worker: Worker
    var options: WorkerOptions { worker.options }
    var logger: Logger { worker.logger }
    let context: ZMQContext
    let mailbox: ZMQMailbox
    var pool: RenderPool!
    var socket: ZMQSocket?

    var registered = false
    var inFlight: [TileRef: Date] = [:]
    /// Lease renewal of the tiles in flight: a renderer may go longer than a lease between progress reports (a VAE
    /// pass over a large tile on a slow CPU), so the loop renews leases at a third of their length (§6.5) — but
    /// only while the process is computing, so a renderer that hangs without working still loses its tile.
    var leaseRenewals: [TileRef: LeaseRenewal] = [:]
    var lastCPUCheck: (wall: Double, cpu: Double) = (0, 0)
    var computing = false

    struct LeaseRenewal {
        let leaseSeconds: Double
        let lastSent: ProgressClock
        let reporter: TileProgressReporter
    }

    /// When the last PROGRESS for a tile went out, from the render thread or the loop; `claim` takes the next slot
    /// when at least `interval` seconds have passed.
    final class ProgressClock: Sendable {
        private let last: Mutex<Double>
        init(_ now: Double) { last = Mutex(now) }

        func claim(now: Double, interval: Double) -> Bool {
            last.withLock { last in
                guard now - last >= interval else { return false }
                last = now
                return true
            }
        }
    }
    var sources: [String: RGBAImage] = [:]
    /// Recently used plans by their TILE parameters (without the per-tile source window and latent stage).
    var plans: [(key: TileParameters, plan: UpscalePlan)] = []
    var sourceOrder: [String] = []
    var outbox: [[Data]] = []
    var heartbeatSeconds: Double
    var liveness: Double
    var lastHeard = 0.0
    var lastSent = 0.0
    var lastHello = 0.0
    var backoff: Double
    var draining = false
    var drainDeadline = 0.0

    init(worker: Worker) throws {
        self.worker = worker
        heartbeatSeconds = Double(worker.options.heartbeatMs) / 1000
        liveness = Double(worker.options.liveness)
        backoff = worker.options.backoffInitial
        do {
            context = try ZMQContext()
            mailbox = try ZMQMailbox(context: context)
        } catch {
            throw ClusterError.processFailure("cannot create worker sockets: \(error)")
        }
        pool = RenderPool(threads: worker.options.threads, renderer: worker.renderer, poster: mailbox.poster) {
            [worker] ok in worker.update { ok ? ($0.tilesRendered += 1) : ($0.tilesFailed += 1) }
        }
    }

    func run() throws {
        defer {
            pool.shutdown()
            socket?.close()
            mailbox.poster.close()
        }
        try connect()
        while true {
            let now = monotonicNow()
            if worker.stopFlag.isSet && !draining { beginDrain(now: now) }
            if draining && (inFlight.isEmpty || now >= drainDeadline) {
                finishDrain()
                return
            }
            guard let socket else { return }
            let events: [PollEvents]
            do {
                events = try ZMQPoller.poll(
                    [PollItem(socket: socket), PollItem(socket: mailbox.inbox)], timeoutMilliseconds: 50)
            } catch {
                if error.kind == .terminated { return }
                continue
            }
            if events[0].contains(.readable) { drainSocket() }
            if events[1].contains(.readable) { drainMailbox() }
            let later = monotonicNow()
            if registered { renewLeases(now: later) }
            if registered && later - lastSent >= heartbeatSeconds { sendHeartbeat() }
            if later - lastHeard > heartbeatSeconds * liveness {
                logger.warning(
                    "no word from coordinator \(options.coordinator) for \(Int(heartbeatSeconds * liveness * 1000)) ms; reconnecting in \(Int(backoff)) s"
                )
                try reconnectAfterBackoff()
            }
        }
    }

    // MARK: Connection

    private func connect() throws {
        do {
            let s = try context.makeSocket(.dealer)
            try s.applyWireDefaults()
            try s.setOptions([
                .routingID(Data(options.workerId.utf8)), .sendTimeout(milliseconds: 1000),
                .reconnectInterval(milliseconds: 200), .reconnectIntervalMax(milliseconds: 2000),
            ])
            try s.connect(options.coordinator)
            socket = s
        } catch {
            throw ClusterError.processFailure("cannot connect to \(options.coordinator): \(error)")
        }
        registered = false
        lastHeard = monotonicNow()
        sendHello()
    }

    private func reconnectAfterBackoff() throws {
        socket?.close()
        socket = nil
        registered = false
        worker.update { $0.reconnects += 1 }
        let until = monotonicNow() + backoff
        backoff = min(options.backoffMax, backoff * 2)
        while monotonicNow() < until {
            if worker.stopFlag.isSet { break }
            // Keep collecting render results meanwhile; they are sent once registered again.
            drainMailbox()
            usleep(20_000)
        }
        try connect()
    }

    private func sendHello() {
        lastHello = monotonicNow()
        let hello = Hello(
            workerID: options.workerId, software: TesseraVersion.current, threads: UInt16(clamping: options.threads),
            renderers: worker.renderer.names, models: worker.renderer.models.map(\.wire))
        send(.hello(hello))
    }

    private func send(_ message: Message) {
        guard let socket else { return }
        do {
            try socket.send(message)
            lastSent = monotonicNow()
        } catch {
            logger.debug("send \(message.command.name) failed: \(error)")
        }
    }

    private func sendFrames(_ frames: [Data]) {
        guard let socket, registered else {
            outbox.append(frames)
            return
        }
        do {
            try socket.send(frames)
            lastSent = monotonicNow()
        } catch {
            outbox.append(frames)
        }
    }

    private var freeSlots: Int { draining ? 0 : max(0, options.threads - inFlight.count) }

    // MARK: Incoming

    private func drainSocket() {
        guard let socket else { return }
        for _ in 0..<1000 {
            let frames: [Data]?
            do { frames = try socket.tryReceive() } catch {
                worker.update { $0.messagesDropped += 1 }
                return
            }
            guard let frames else { return }
            lastHeard = monotonicNow()
            switch ReceivedMessage.decode(frames, socketType: .dealer).result {
            case .success(let message): handle(message)
            case .failure(let error):
                worker.update { $0.messagesDropped += 1 }
                logger.warning("dropped a message from the coordinator: \(error)")
            }
            if self.socket == nil { return }
        }
    }

    private func handle(_ message: Message) {
        switch message {
        case .welcome(let welcome):
            registered = true
            backoff = options.backoffInitial
            heartbeatSeconds = Double(welcome.heartbeatMilliseconds) / 1000
            liveness = Double(welcome.liveness)
            worker.update { $0.registrations += 1 }
            logger.info("registered with \(welcome.coordinatorID) at \(options.coordinator) as \(options.workerId)")
            let pending = outbox
            outbox.removeAll()
            for frames in pending { sendFrames(frames) }
            if freeSlots > 0 { send(.ready(Ready(credit: UInt16(clamping: freeSlots)))) }
        case .tile(let assignment):
            accept(assignment)
        case .revoke(let revoke):
            let matches: (TileRef) -> Bool = { ref in
                ref.jobID == revoke.jobID && (revoke.tileID == nil || revoke.tileID == ref.tileID)
            }
            for item in pool.revoke(where: matches) {
                inFlight[item.ref] = nil
                if registered && !draining { send(.ready(Ready(credit: 1))) }
            }
            for (id, _) in sources where id == revoke.jobID && revoke.tileID == nil { forgetSource(id) }
        case .heartbeat:
            break
        case .error(let report):
            if report.code == .notRegistered {
                registered = false
                if monotonicNow() - lastHello > 0.5 {
                    logger.info("coordinator does not know this worker (it restarted?); registering again")
                    sendHello()
                }
            } else {
                logger.warning("coordinator error \(report.code.name): \(report.message)")
            }
        case .disconnect(let bye):
            logger.warning("coordinator said goodbye (\(bye.code.name)); will reconnect")
            lastHeard = 0  // triggers the reconnect path with back-off
        default:
            worker.update { $0.messagesDropped += 1 }
            logger.warning("dropped unexpected \(message.command.name) from the coordinator")
        }
    }

    private func accept(_ assignment: TileAssignment) {
        let ref = assignment.tile
        func refuse(_ code: WireErrorCode, retryable: Bool, _ why: String, giveBackCredit: Bool) {
            send(.failed(TileFailure(tile: ref, code: code, retryable: retryable, message: why)))
            if giveBackCredit && registered && !draining { send(.ready(Ready(credit: 1))) }
        }
        if draining {
            refuse(.shuttingDown, retryable: true, "worker is shutting down", giveBackCredit: false)
            return
        }
        let parameters: TileParameters
        let plan: UpscalePlan
        do {
            parameters = try JSONText.decode(TileParameters.self, assignment.parameters.text, what: "parameters")
            // Tiles of one job differ only in their source window or latent stage; the plan is the same.
            var key = parameters
            key.sourceWindow = nil
            key.latentStage = nil
            if let cached = plans.first(where: { $0.key == key }) {
                plan = cached.plan
            } else {
                plan = try UpscalePlan(
                    spec: parameters.spec, sourceWidth: parameters.sourceWidth, sourceHeight: parameters.sourceHeight)
                // Causal plans blur every unit's mask once; keep the last few instead of replanning per tile.
                plans.append((key, plan))
                if plans.count > 4 { plans.removeFirst() }
            }
        } catch {
            refuse(.invalidParameters, retryable: false, "\(error)", giveBackCredit: true)
            return
        }
        let latentStage: LatentStageWork?
        do { latentStage = try LatentStageWork(parameters: parameters, payloads: assignment.payloads, rect: assignment.rect) } catch {
            refuse(.invalidParameters, retryable: false, "\(error)", giveBackCredit: true)
            return
        }
        let rendererName = latentStage == nil ? plan.spec.tileRendererName : LatentTileRenderer.rendererName
        guard worker.renderer.names.contains(rendererName) else {
            refuse(.rendererUnavailable, retryable: true, "no renderer \"\(rendererName)\" here", giveBackCredit: true)
            return
        }
        var contextImage: RGBAImage? = nil
        if let context = assignment.payloads.first(where: { $0.role == .context }) {
            guard context.format == .rgba8,
                let image = try? RGBAImage(width: context.width, height: context.height, pixels: [UInt8](context.bytes))
            else {
                refuse(.invalidParameters, retryable: false, "source payload is not RGBA8", giveBackCredit: true)
                return
            }
            contextImage = image
        }
        let source: SourceWindow
        if let rect = parameters.sourceWindow {
            // A window comes with every tile that reads one; it is not cached.
            guard let contextImage else {
                refuse(.invalidParameters, retryable: false, "tile names source_window \(rect) but has no context payload", giveBackCredit: true)
                return
            }
            do {
                source = try SourceWindow(pixels: contextImage, rect: rect, sourceWidth: parameters.sourceWidth, sourceHeight: parameters.sourceHeight)
            } catch {
                refuse(.invalidParameters, retryable: false, "source_window: \(error)", giveBackCredit: true)
                return
            }
        } else {
            if let contextImage { remember(source: contextImage, for: ref.jobID) }
            guard let cached = sources[ref.jobID] else {
                refuse(.unknownJob, retryable: true, "source image of \(ref.jobID) not cached", giveBackCredit: true)
                return
            }
            source = SourceWindow(whole: cached)
        }
        var input: RGBAImage? = nil
        if let canvas = assignment.payloads.first(where: { $0.role == .canvas }) {
            guard canvas.format == .rgba8,
                let image = try? RGBAImage(width: canvas.width, height: canvas.height, pixels: [UInt8](canvas.bytes))
            else {
                refuse(.invalidParameters, retryable: false, "canvas payload is not RGBA8", giveBackCredit: true)
                return
            }
            input = image
        }
        var mask: GreyImage? = nil
        if let payload = assignment.payloads.first(where: { $0.role == .mask }) {
            guard payload.format == .gray8,
                let image = try? GreyImage(width: payload.width, height: payload.height, pixels: [UInt8](payload.bytes))
            else {
                refuse(.invalidParameters, retryable: false, "mask payload is not gray8", giveBackCredit: true)
                return
            }
            mask = image
        }
        var hints: [RGBAImage] = []
        for payload in assignment.payloads where payload.role == .hint {
            guard payload.format == .rgba8,
                let image = try? RGBAImage(width: payload.width, height: payload.height, pixels: [UInt8](payload.bytes))
            else {
                refuse(.invalidParameters, retryable: false, "hint payload is not RGBA8", giveBackCredit: true)
                return
            }
            hints.append(image)
        }
        let poolRef = pool!
        let lastReport = ProgressClock(monotonicNow())
        let reporter = TileProgressReporter { fraction in
            // At most five PROGRESS per second per tile: enough to renew leases, cheap on the wire.
            if lastReport.claim(now: monotonicNow(), interval: 0.2) {
                poolRef.post(.progress(TileProgress(tile: ref, fraction: fraction)))
            }
        }
        inFlight[ref] = Date()
        leaseRenewals[ref] = LeaseRenewal(
            leaseSeconds: Double(assignment.leaseMilliseconds) / 1000, lastSent: lastReport, reporter: reporter)
        var work = TileWork(
            jobId: ref.jobID, tileIndex: Int(ref.tileID), attempt: Int(ref.attempt), plan: plan, source: source,
            input: input, mask: mask)
        work.latentStage = latentStage
        work.hints = hints
        pool.submit(RenderItem(ref: ref, work: work, reporter: reporter))
    }

    private func remember(source: RGBAImage, for jobId: String) {
        if sources[jobId] == nil { sourceOrder.append(jobId) }
        sources[jobId] = source
        while sourceOrder.count > 4 { forgetSource(sourceOrder[0]) }
    }

    private func forgetSource(_ jobId: String) {
        sources.removeValue(forKey: jobId)
        sourceOrder.removeAll { $0 == jobId }
    }

    private func drainMailbox() {
        for _ in 0..<1000 {
            guard let frames = try? mailbox.tryReceive(), let kindFrame = frames.first,
                let kind = RenderPool.Kind(rawValue: kindFrame.first ?? 0)
            else { return }
            switch kind {
            case .forward:
                sendFrames(Array(frames.dropFirst()))
            case .slotFreed:
                guard frames.count == 2 else { continue }
                let parts = String(decoding: frames[1], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                guard parts.count == 2, let tile = UInt32(parts[1]) else { continue }
                let jobId = String(parts[0])
                if let ref = inFlight.keys.first(where: { $0.jobID == jobId && $0.tileID == tile }) {
                    inFlight[ref] = nil
                }
                if registered && !draining { send(.ready(Ready(credit: 1))) }
            }
        }
    }

    /// Sends PROGRESS (with the last reported fraction) for every tile in flight whose lease is a third gone since
    /// its last PROGRESS, and forgets tiles no longer in flight.
    private func renewLeases(now: Double) {
        for ref in leaseRenewals.keys where inFlight[ref] == nil { leaseRenewals[ref] = nil }
        guard !leaseRenewals.isEmpty else { return }
        // "Computing" = the process used at least a quarter of a core over the last 50 ms or more.
        if now - lastCPUCheck.wall >= 0.05 {
            let cpu = Self.processCPUSeconds()
            computing = cpu - lastCPUCheck.cpu >= 0.25 * (now - lastCPUCheck.wall)
            lastCPUCheck = (now, cpu)
        }
        guard computing else { return }
        for (ref, renewal) in leaseRenewals {
            if renewal.lastSent.claim(now: now, interval: renewal.leaseSeconds / 3) {
                send(.progress(TileProgress(tile: ref, fraction: renewal.reporter.lastFraction)))
            }
        }
    }

    static func processCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private func sendHeartbeat() {
        let state: WireWorkerState = draining ? .draining : (inFlight.isEmpty ? .idle : .busy)
        let current = pool.runningTiles.first ?? inFlight.keys.first
        send(.heartbeat(Heartbeat(state: state, jobID: current?.jobID ?? "", tileID: current?.tileID ?? 0)))
    }

    // MARK: Draining

    private func beginDrain(now: Double) {
        draining = true
        drainDeadline = now + options.drainTimeoutSeconds
        logger.info("draining: \(inFlight.count) tile(s) in progress, no new work")
        // Tiles still queued (not started) go back at once.
        let running = Set(pool.runningTiles)
        let queued = pool.revoke { ref in !running.contains(ref) }
        for item in queued {
            inFlight[item.ref] = nil
            send(.failed(TileFailure(tile: item.ref, code: .shuttingDown, retryable: true, message: "worker draining")))
            worker.update { $0.tilesHandedBack += 1 }
        }
        if registered { sendHeartbeat() }
    }

    private func finishDrain() {
        drainMailbox()
        for ref in inFlight.keys {
            send(.failed(TileFailure(tile: ref, code: .shuttingDown, retryable: true, message: "worker stopped")))
            worker.update { $0.tilesHandedBack += 1 }
        }
        _ = pool.revoke { _ in true }
        send(.disconnect(Disconnect(code: .shuttingDown, message: "worker \(options.workerId) stopping")))
        logger.info("worker \(options.workerId) stopped")
    }
}
