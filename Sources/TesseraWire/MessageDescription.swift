/// One-line summaries for logs: the command and its identifying fields, never payload bytes or
/// whole parameter documents (prompts can be long and private).
extension Message: CustomStringConvertible {
    public var description: String {
        func ref(_ t: TileRef) -> String { "\(t.jobID)#\(t.tileID)/\(t.attempt)" }
        func payloadSummary() -> String {
            let list = payloads.map { "\($0.role)(\($0.format) \($0.width)x\($0.height), \($0.bytes.count) B)" }
            return list.isEmpty ? "" : " [" + list.joined(separator: ", ") + "]"
        }
        let detail: String
        switch self {
        case .hello(let m): detail = "\(m.workerID) \(m.software) v\(m.versions) threads=\(m.threads) renderers=\(m.renderers) models=\(m.models.count)"
        case .welcome(let m): detail = "v\(m.version) heartbeat=\(m.heartbeatMilliseconds)ms liveness=\(m.liveness) from \(m.coordinatorID)"
        case .ready(let m): detail = "credit=\(m.credit)"
        case .tile(let m): detail = "\(ref(m.tile)) lease=\(m.leaseMilliseconds)ms rect=\(m.rect.x),\(m.rect.y) \(m.rect.width)x\(m.rect.height)"
        case .progress(let m): detail = "\(ref(m.tile)) \(Int((m.fraction * 100).rounded()))%"
        case .result(let m): detail = "\(ref(m.tile)) \(m.renderMilliseconds)ms"
        case .failed(let m): detail = "\(ref(m.tile)) \(m.code) retryable=\(m.retryable): \(m.message)"
        case .heartbeat(let m): detail = m.jobID.isEmpty ? "\(m.state)" : "\(m.state) \(m.jobID)#\(m.tileID)"
        case .disconnect(let m): detail = "\(m.code) \(m.message)"
        case .error(let m): detail = "request=\(m.requestID) \(m.code): \(m.message)"
        case .revoke(let m): detail = m.tileID.map { "\(m.jobID)#\($0)" } ?? "\(m.jobID) (all tiles)"
        case .submit(let m): detail = "request=\(m.requestID) \(m.spec.format) spec, \(m.spec.text.utf8.count) B"
        case .status(let m): detail = "request=\(m.requestID) job=\(m.jobID.isEmpty ? "*" : m.jobID)"
        case .watch(let m): detail = "request=\(m.requestID) job=\(m.jobID)"
        case .cancel(let m): detail = "request=\(m.requestID) job=\(m.jobID)"
        case .fetch(let m): detail = "request=\(m.requestID) job=\(m.jobID) offset=\(m.offset) max=\(m.maxLength)"
        case .workers(let m): detail = "request=\(m.requestID)"
        case .upload(let m): detail = "request=\(m.requestID) upload=\(m.uploadID) offset=\(m.offset)/\(m.totalLength)"
        case .accepted(let m): detail = "request=\(m.requestID) job=\(m.jobID)"
        case .jobStatus(let m): detail = "request=\(m.requestID) jobs=\(m.jobs.count)"
        case .update(let m): detail = "request=\(m.requestID) \(m.job.jobID) \(m.job.state) \(m.job.tilesDone)/\(m.job.tilesTotal)"
        case .workerList(let m): detail = "request=\(m.requestID) workers=\(m.workers.count)"
        case .chunk(let m): detail = "request=\(m.requestID) job=\(m.jobID) offset=\(m.offset)/\(m.totalLength)"
        case .ok(let m): detail = "request=\(m.requestID)"
        }
        return "\(command.name) \(detail)\(payloadSummary())"
    }
}
