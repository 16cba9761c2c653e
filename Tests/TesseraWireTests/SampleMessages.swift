import Foundation
import TesseraWire

/// One realistic instance of every command, shared by the round-trip, malformed-input and fuzz
/// tests.
enum SampleMessages {
    static let tileRef = TileRef(jobID: "job-0001", tileID: 12, attempt: 2)

    /// A 24×16 RGB image of flat 8×4 blocks: compressible, so it exercises the LZ4 path.
    static let pixels: Data = {
        var bytes: [UInt8] = []
        for y in 0..<16 { for x in 0..<24 { bytes += [UInt8(x / 8 * 80), UInt8(y / 4 * 60), 128] } }
        return Data(bytes)
    }()

    static let noisyMask: Data = {
        var generator = SplitMix64(seed: 1)
        return Data((0..<(24 * 16)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }()

    static let record = JobStatusRecord(jobID: "job-0001", state: .running, tilesTotal: 12, tilesDone: 5, tilesRunning: 2, tilesFailed: 1, progress: 0.4375, resultBytes: 0, message: "rendering — ünïcode ok")

    static let all: [Message] = [
        .hello(Hello(workerID: "gpu-box-1", software: "tessera 0.1.0", versions: [1], threads: 8,
                     renderers: ["txt2img", "img2img", "upscale"],
                     models: [ModelInfo(name: "v1-5-pruned-emaonly.safetensors", hash: "6ce0161689"),
                              ModelInfo(name: "RealESRGAN_x4plus.pth", hash: "sha256:4fa0d38905f75ac06eb49a7951b426670021be3018265fd191d2125df9d682f1")])),
        .welcome(Welcome(version: 1, heartbeatMilliseconds: 1000, liveness: 3, coordinatorID: "coord")),
        .ready(Ready(credit: 2)),
        .tile(TileAssignment(tile: tileRef, leaseMilliseconds: 30_000, rect: TileRect(x: 448, y: 0, width: 24, height: 16),
                             parameters: .json(#"{"prompt":"a castle","seed":42,"steps":20}"#),
                             payloads: [.image(.context, format: .rgb8, width: 24, height: 16, pixels: pixels),
                                        .image(.mask, format: .gray8, width: 24, height: 16, pixels: noisyMask),
                                        .image(.hint, format: .rgb8, width: 24, height: 16, pixels: pixels)])),
        .progress(TileProgress(tile: tileRef, fraction: 0.25)),
        .result(TileResult(tile: tileRef, renderMilliseconds: 1234, payloads: [.image(.result, format: .rgb8, width: 24, height: 16, pixels: pixels)])),
        .failed(TileFailure(tile: tileRef, code: .outOfMemory, retryable: true, message: "allocation of 2 GiB failed")),
        .heartbeat(Heartbeat(state: .busy, jobID: "job-0001", tileID: 12)),
        .heartbeat(Heartbeat(state: .idle)),
        .disconnect(Disconnect(code: .shuttingDown, message: "SIGTERM")),
        .error(ErrorReport(requestID: 0, code: .unsupportedVersion, message: "version 2 not supported")),
        .revoke(Revoke(jobID: "job-0001", tileID: 12)),
        .revoke(Revoke(jobID: "job-0001")),
        .submit(SubmitJob(requestID: 1, spec: .toml("prompt = \"a castle\"\nwidth = 2048\n"),
                          payloads: [.image(.initImage, format: .rgba8, width: 4, height: 2, pixels: Data(repeating: 200, count: 32))])),
        .status(StatusRequest(requestID: 2, jobID: "")),
        .watch(WatchRequest(requestID: 3, jobID: "job-0001")),
        .cancel(CancelRequest(requestID: 4, jobID: "job-0001")),
        .fetch(FetchRequest(requestID: 5, jobID: "job-0001", offset: 1 << 20, maxLength: 1 << 20)),
        .workers(WorkersRequest(requestID: 6)),
        .upload(UploadChunk(requestID: 7, uploadID: "up-1", offset: 0, totalLength: 10, chunk: Data("0123456789".utf8))),
        .accepted(JobAccepted(requestID: 1, jobID: "job-0001")),
        .jobStatus(JobStatusReply(requestID: 2, jobs: [record, JobStatusRecord(jobID: "job-0000", state: .done, tilesTotal: 4, tilesDone: 4, tilesRunning: 0, tilesFailed: 0, progress: 1, resultBytes: 123_456)])),
        .jobStatus(JobStatusReply(requestID: 2, jobs: [])),
        .update(JobUpdate(requestID: 3, job: record)),
        .workerList(WorkerListReply(requestID: 6, workers: [WorkerRecord(workerID: "gpu-box-1", state: .busy, jobID: "job-0001", tileID: 12, threads: 8, tilesDone: 99, lastSeenMilliseconds: 250),
                                                             WorkerRecord(workerID: "w2", state: .lost, threads: 2, tilesDone: 0, lastSeenMilliseconds: 9000)])),
        .chunk(ResultChunk(requestID: 5, jobID: "job-0001", offset: 100, totalLength: 110, chunk: Data(repeating: 7, count: 10))),
        .chunk(ResultChunk(requestID: 5, jobID: "job-0001", offset: 110, totalLength: 110, chunk: Data())),
        .ok(OKReply(requestID: 4)),
    ]
}
