import Foundation
import Synchronization
import TesseraImaging

/// Builds causal jobs' base images off the coordinator thread. The base is the pre-upscaled source (or the
/// feathered redraw) at the output size; for a 16K output that is a resample of a quarter of a billion pixels, long
/// enough on the loop thread to miss heartbeats and leases. The job's causal tiles wait until it is here.
final class CausalBaseQueue: Sendable {
    private let queue = DispatchQueue(label: "tessera.causal-base")
    private let finished = Mutex<[(String, Result<RGBAImage, ClusterError>)]>([])

    func build(jobId: String, plan: UpscalePlan, folder: JobFolder, sourcePixels: Data) {
        queue.async { [self] in
            let result = Result { () throws(ClusterError) -> RGBAImage in
                do {
                    let source = try RGBAImage(width: plan.sourceWidth, height: plan.sourceHeight, pixels: [UInt8](sourcePixels))
                    return try CausalUpscale.baseImage(plan: plan, source: source, featherTiles: StoredTileReader(folder: folder))
                } catch let error as ClusterError {
                    throw error
                } catch {
                    throw ClusterError.processFailure("cannot build the base image: \(error)")
                }
            }
            finished.withLock { $0.append((jobId, result)) }
        }
    }

    func takeFinished() -> [(String, Result<RGBAImage, ClusterError>)] {
        finished.withLock { list in
            defer { list.removeAll() }
            return list
        }
    }
}
