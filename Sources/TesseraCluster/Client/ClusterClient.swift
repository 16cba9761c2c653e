import Foundation
import TesseraWire
import TesseraZMQ

/// Talks to a coordinator's client endpoint: submit, status, cancel, fetch, workers. Each call is one request and
/// its reply, matched by request id, with a timeout so a missing coordinator is an error rather than a hang.
///
/// Not thread-safe (it owns a socket); use one client per thread.
public final class ClusterClient {
    public let endpoint: String
    public var timeoutSeconds: Double
    /// PNGs larger than this are uploaded in chunks of `uploadChunkSize` before SUBMIT.
    public var inlineLimit = SubmitDocument.inlineLimit
    public var uploadChunkSize = SubmitDocument.chunkSize
    private let context: ZMQContext
    private let socket: ZMQSocket
    private var nextRequestID: UInt32 = 1

    public init(endpoint: String, timeoutSeconds: Double = 10) throws {
        self.endpoint = endpoint
        self.timeoutSeconds = timeoutSeconds
        do {
            context = try ZMQContext()
            socket = try context.makeSocket(.dealer)
            try socket.applyWireDefaults()
            try socket.setOptions([.sendTimeout(milliseconds: 1000)])
            try socket.connect(endpoint)
        } catch {
            throw ClusterError.coordinatorUnreachable(endpoint: endpoint, waitedSeconds: 0)
        }
    }

    deinit { socket.close() }

    /// The coordinator endpoint to use: explicit value, else `$TESSERA_COORDINATOR`, else the loopback default.
    public static func resolveEndpoint(_ explicit: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let env = ProcessInfo.processInfo.environment["TESSERA_COORDINATOR"], !env.isEmpty { return env }
        return CoordinatorConfig().clientEndpoint
    }

    // MARK: Requests

    /// Submits a job; returns its id. PNGs larger than `SubmitDocument.inlineLimit` are uploaded in chunks first.
    /// `png` is nil only for a txt2img generation job. `mask`: the PNG of an inpaint job's mask (white = repaint;
    /// output size for upscale inpainting, init image size for a generation job), sent inside SUBMIT. `hints`: the
    /// PNGs of a generation job's ControlNet units that have an `image`, in unit order.
    public func submit(
        png: Data?, spec: UpscaleJobSpec, sourceName: String? = nil, mask: Data? = nil, hints: [Data] = []
    ) throws -> String {
        var document = SubmitDocument(job: spec, sourceName: sourceName)
        var payloads: [Payload] = []
        if let png, png.count > inlineLimit {
            let uploadID = "u\(UInt64.random(in: 0..<UInt64.max))"
            var offset = 0
            while offset < png.count {
                let end = min(png.count, offset + max(1, uploadChunkSize))
                let id = takeRequestID()
                let reply = try request(.upload(UploadChunk(
                    requestID: id, uploadID: uploadID, offset: UInt64(offset), totalLength: UInt64(png.count),
                    chunk: png.subdata(in: offset..<end))), id: id)
                guard case .ok = reply else { throw unexpected(reply) }
                offset = end
            }
            document.uploadId = uploadID
        } else if let png {
            payloads = [.opaque(.initImage, bytes: png)]
        }
        if let mask { payloads.append(.opaque(.mask, bytes: mask)) }
        payloads += hints.map { .opaque(.hint, bytes: $0) }
        let id = takeRequestID()
        // The coordinator decodes and checks the image (and mask) before it answers: a 16K PNG takes it seconds.
        let imageBytes = (png?.count ?? 0) + (mask?.count ?? 0)
        let reply = try request(.submit(SubmitJob(
            requestID: id, spec: .json(JSONText.encode(document)), payloads: payloads)), id: id,
            timeout: timeoutSeconds + Double(imageBytes) / Self.submitCheckBytesPerSecond)
        guard case .accepted(let accepted) = reply else { throw unexpected(reply) }
        return accepted.jobID
    }

    /// Status of one job, or of all jobs when `jobId` is nil.
    public func status(jobId: String? = nil) throws -> [JobStatusRecord] {
        let id = takeRequestID()
        let reply = try request(.status(StatusRequest(requestID: id, jobID: jobId ?? "")), id: id)
        guard case .jobStatus(let status) = reply else { throw unexpected(reply) }
        return status.jobs
    }

    public func cancel(jobId: String) throws {
        let id = takeRequestID()
        let reply = try request(.cancel(CancelRequest(requestID: id, jobID: jobId)), id: id)
        guard case .ok = reply else { throw unexpected(reply) }
    }

    public func workers() throws -> [WorkerRecord] {
        let id = takeRequestID()
        let reply = try request(.workers(WorkersRequest(requestID: id)), id: id)
        guard case .workerList(let list) = reply else { throw unexpected(reply) }
        return list.workers
    }

    /// Downloads a finished job's PNG; returns its bytes.
    public func fetch(jobId: String) throws -> Data {
        var data = Data()
        var total: UInt64 = 1
        while UInt64(data.count) < total {
            let id = takeRequestID()
            let reply = try request(.fetch(FetchRequest(
                requestID: id, jobID: jobId, offset: UInt64(data.count), maxLength: UInt32(SubmitDocument.chunkSize))),
                id: id)
            guard case .chunk(let chunk) = reply else { throw unexpected(reply) }
            total = chunk.totalLength
            guard chunk.offset == UInt64(data.count), !(chunk.chunk.isEmpty && total > UInt64(data.count)) else {
                throw ClusterError.protocolViolation("fetch of \(jobId) returned a chunk at the wrong offset")
            }
            data.append(chunk.chunk)
        }
        return data
    }

    /// Polls the job until it is final, calling `onUpdate` with each status (and the worker list about once a
    /// second). Survives a coordinator restart: a timed-out poll is retried until `giveUpSeconds` pass silently.
    public func watch(
        jobId: String, pollSeconds: Double = 0.2, giveUpSeconds: Double = 60,
        onUpdate: (JobStatusRecord, [WorkerRecord]?) -> Void
    ) throws -> JobStatusRecord {
        var lastAnswer = Date()
        var lastWorkers = Date.distantPast
        let savedTimeout = timeoutSeconds
        timeoutSeconds = min(timeoutSeconds, 2)
        defer { timeoutSeconds = savedTimeout }
        while true {
            do {
                guard let record = try status(jobId: jobId).first else { throw ClusterError.unknownJob(jobId) }
                lastAnswer = Date()
                var workerList: [WorkerRecord]?
                if Date().timeIntervalSince(lastWorkers) >= 1 {
                    workerList = try? workers()
                    lastWorkers = Date()
                }
                onUpdate(record, workerList)
                if record.state.isFinal { return record }
            } catch ClusterError.coordinatorUnreachable(let endpoint, _) {
                let silent = Date().timeIntervalSince(lastAnswer)
                if silent > giveUpSeconds {
                    throw ClusterError.coordinatorUnreachable(endpoint: endpoint, waitedSeconds: silent)
                }
            }
            usleep(UInt32(pollSeconds * 1_000_000))
        }
    }

    // MARK: Plumbing

    private func takeRequestID() -> UInt32 {
        defer { nextRequestID = nextRequestID == UInt32.max ? 1 : nextRequestID + 1 }
        return nextRequestID
    }

    /// How fast a coordinator is assumed to decode a submitted PNG at worst, for the SUBMIT reply's deadline.
    static let submitCheckBytesPerSecond = 4e6

    private func request(_ message: Message, id: UInt32, timeout: Double? = nil) throws -> Message {
        let timeoutSeconds = timeout ?? self.timeoutSeconds
        do {
            try socket.send(message)
        } catch let error as WireError {
            throw ClusterError.invalidParameter(field: message.command.name, reason: "\(error)")
        } catch {
            throw ClusterError.coordinatorUnreachable(endpoint: endpoint, waitedSeconds: 1)
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw ClusterError.coordinatorUnreachable(endpoint: endpoint, waitedSeconds: timeoutSeconds)
            }
            let received: ReceivedMessage?
            do {
                received = try socket.receiveMessage(timeoutMilliseconds: max(1, Int(remaining * 1000)))
            } catch {
                throw ClusterError.coordinatorUnreachable(endpoint: endpoint, waitedSeconds: timeoutSeconds)
            }
            guard let received, case .success(let reply) = received.result else { continue }
            // Replies to earlier, timed-out requests may still arrive: skip them.
            guard reply.requestID == id else { continue }
            if case .error(let report) = reply { throw ClusterError.coordinatorRejected(report.message) }
            return reply
        }
    }

    private func unexpected(_ reply: Message) -> ClusterError {
        .protocolViolation("unexpected \(reply.command.name) reply")
    }
}
