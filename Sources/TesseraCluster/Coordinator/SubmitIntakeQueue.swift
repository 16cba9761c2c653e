import Foundation
import Synchronization
import TesseraImageOps
import TesseraImaging
import TesseraWire

/// Decodes and checks submitted jobs off the coordinator thread. A 16K source PNG and its inpaint mask take seconds
/// to decode, blur and plan: on the loop that silences heartbeats long enough for workers to reconnect and for leases
/// to look expired. The loop hands a SUBMIT over, keeps serving, and registers and answers it when the check is done.
/// One serial queue, so jobs are registered in the order they were submitted.
final class SubmitIntakeQueue: Sendable {
    /// A SUBMIT as the loop received it, with what only the loop knows (uploads, the workers' models) resolved.
    struct Request: Sendable {
        var routingID: Data
        var requestID: UInt32
        var document: SubmitDocument
        var png: Data?
        var maskPNG: Data?
        var hintPNGs: [Data]
        var name: String
    }

    /// A request whose image decoded and whose job plans.
    struct Checked: Sendable {
        var request: Request
        var document: SubmitDocument
        var image: RGBAImage
        var generation: GenerationJobs.Prepared?
        var plan: UpscalePlan
        /// An inpaint job's mask and the tiles it reaches.
        var inpaint: (mask: GreyImage, affected: [Int])?
    }

    private let queue = DispatchQueue(label: "tessera.submit-intake")
    private let finished = Mutex<[(Request, Result<Checked, any Error>)]>([])

    func check(_ request: Request) {
        queue.async { [self] in
            let result = Result { try Self.checked(request) }
            finished.withLock { $0.append((request, result)) }
        }
    }

    func takeFinished() -> [(Request, Result<Checked, any Error>)] {
        finished.withLock { list in
            defer { list.removeAll() }
            return list
        }
    }

    /// Everything about a submitted job that can be refused before it exists, and is slow on a large image.
    static func checked(_ request: Request) throws -> Checked {
        var document = request.document
        var image: RGBAImage? = nil
        if let png = request.png {
            do {
                image = try PNGImage.read(data: [UInt8](png), name: request.name).rgba8
            } catch {
                throw ClusterError.invalidParameter(field: "image", reason: "\(error)")
            }
        }
        var generation: GenerationJobs.Prepared? = nil
        if let settings = document.job.generation {
            let prepared = try GenerationJobs.prepare(settings, source: image, maskPNG: request.maskPNG, hintPNGs: request.hintPNGs)
            document.job.generation = prepared.settings
            image = prepared.source
            generation = prepared
        }
        guard let image else { throw ClusterError.invalidParameter(field: "image", reason: "the job carries no source image") }
        if generation == nil, !request.hintPNGs.isEmpty {
            throw ClusterError.invalidParameter(field: "hint", reason: "control images belong to a generation job's ControlNet units; an upscale's Tile ControlNet reads each tile's own region")
        }
        let plan = try UpscalePlan(spec: document.job, sourceWidth: image.width, sourceHeight: image.height)
        var inpaint: (mask: GreyImage, affected: [Int])? = nil
        if document.job.inpaint {
            guard let maskPNG = request.maskPNG else {
                throw ClusterError.invalidParameter(field: "mask", reason: "an inpaint job needs a mask image")
            }
            let mask = try InpaintJobs.decodeMask(maskPNG)
            inpaint = (mask, try InpaintTiles.affected(plan: plan.tilePlan, mask: mask, maskBlur: document.job.maskBlur))
        } else if request.maskPNG != nil, generation == nil {
            throw ClusterError.invalidParameter(field: "mask", reason: "given, but the job is not an inpaint job (inpaint = true)")
        }
        return Checked(request: request, document: document, image: image, generation: generation, plan: plan, inpaint: inpaint)
    }
}
