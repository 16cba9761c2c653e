import Foundation
import TesseraImaging

/// One stage of a distributed tiled-diffusion job as its sampler thread posts it: one document and one input per
/// tile, and the size of the RGBA8 result each tile must return (region tiles differ in size from grid tiles).
struct LatentStage: Sendable {
    var jobId: String
    var stage: Int
    var documents: [LatentStageDocument]
    /// Per tile: the Float32 input bytes (empty for none).
    var inputs: [Data]
    /// Per tile: the result's width and height.
    var resultSizes: [(width: Int, height: Int)]
    /// Pixels the lease length is computed for. A stage reports no progress until it is done (a tile is a single
    /// UNet call), so this is generous: a dead worker is still noticed by its missing heartbeats, the lease only
    /// catches a hung renderer.
    var leasePixels: Int
    /// The job's estimated total of stage tiles (encode + every model call's tiles + decode), for status reports.
    var jobTileEstimate: Int

    var schedulerJobId: String { LatentStageKey.schedulerJobId(jobId, stage: stage) }
}

/// Why a tiled-diffusion job's sampler thread stopped waiting.
struct LatentJobStopped: Error, CustomStringConvertible {
    let description: String
}

/// The hand-over between the coordinator loop and the sampler threads of tiled-diffusion jobs: a thread posts a
/// stage and blocks until the loop has delivered every tile's result (or the job was stopped); the loop takes posted
/// stages, feeds results in, and collects finished jobs. All state is behind one lock.
final class LatentStageBoard: @unchecked Sendable {
    private let condition = NSCondition()
    private var posted: [LatentStage] = []
    private var results: [String: [Int: RGBAImage]] = [:]
    private var expected: [String: Int] = [:]
    private var stopped: [String: String] = [:]
    private var finished: [(String, Result<Void, any Error>)] = []

    // MARK: Sampler-thread side

    /// Posts `stage` and returns its tile results in tile order once all are in.
    func run(_ stage: LatentStage) throws -> [RGBAImage] {
        condition.lock()
        defer { condition.unlock() }
        let id = stage.schedulerJobId
        if let reason = stopped[stage.jobId] { throw LatentJobStopped(description: reason) }
        results[id] = [:]
        expected[id] = stage.documents.count
        posted.append(stage)
        while true {
            if let reason = stopped[stage.jobId] {
                results[id] = nil
                expected[id] = nil
                throw LatentJobStopped(description: reason)
            }
            if let done = results[id], done.count == expected[id] {
                results[id] = nil
                expected[id] = nil
                return (0..<done.count).map { done[$0]! }
            }
            condition.wait()
        }
    }

    /// The sampler thread of `jobId` ended (output written, or failed).
    func finish(_ jobId: String, _ result: Result<Void, any Error>) {
        condition.lock()
        finished.append((jobId, result))
        condition.unlock()
    }

    // MARK: Loop side

    func takePosted() -> [LatentStage] {
        condition.lock()
        defer { condition.unlock() }
        let list = posted
        posted.removeAll()
        return list
    }

    /// Hands a tile result to the waiting thread; false when nobody waits for it (stale or duplicate).
    @discardableResult
    func deliver(_ key: LatentStageKey, _ image: RGBAImage) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let id = key.schedulerJobId
        guard results[id] != nil, results[id]![key.tile] == nil else { return false }
        results[id]![key.tile] = image
        condition.broadcast()
        return true
    }

    /// Makes the job's thread stop at its next wait.
    func stop(_ jobId: String, reason: String) {
        condition.lock()
        stopped[jobId] = reason
        posted.removeAll { $0.jobId == jobId }
        condition.broadcast()
        condition.unlock()
    }

    /// The jobs whose threads ended since the last call; their stop marks are dropped (the thread is gone).
    func takeFinished() -> [(String, Result<Void, any Error>)] {
        condition.lock()
        defer { condition.unlock() }
        let list = finished
        finished.removeAll()
        for (id, _) in list { stopped[id] = nil }
        return list
    }
}
