import Foundation
import Logging
import Synchronization
import TesseraImaging

/// Assembles finished jobs off the coordinator thread (reading tiles and encoding a large PNG takes long enough to
/// delay heartbeats), and hands the outcome back for the loop to collect.
final class JobAssemblyQueue: Sendable {
    private let queue = DispatchQueue(label: "tessera.assembly")
    private let finished = Mutex<[(String, Result<Int, ClusterError>)]>([])

    func assemble(job: StoredJob, plan: UpscalePlan, folder: JobFolder, logger: Logger) {
        queue.async { [self] in
            let result = Result { () throws(ClusterError) -> Int in
                try JobOutputWriter.write(plan: plan, folder: folder)
            }
            finished.withLock { $0.append((job.id, result)) }
        }
    }

    func takeFinished() -> [(String, Result<Int, ClusterError>)] {
        finished.withLock { list in
            defer { list.removeAll() }
            return list
        }
    }
}

/// Builds the output PNG of a job from its stored tiles and writes it atomically, through the same tiled driver
/// and feather blender as a single-process run.
public enum JobOutputWriter {
    /// Returns the size in bytes of the written `output.png`.
    public static func write(plan: UpscalePlan, folder: JobFolder) throws(ClusterError) -> Int {
        do {
            if plan.spec.generation != nil { return try GenerationJobs.writeOutput(plan: plan, folder: folder) }
            let source = try PNGImage.read(path: folder.sourcePath).rgba8
            let sourceIsOpaque = source.isOpaque
            let temp = folder.outputPath + ".tmp"
            if plan.causal != nil {
                let reader = StoredTileReader(folder: folder)
                let base = try CausalUpscale.baseImage(plan: plan, source: source, featherTiles: reader)
                let image = try CausalUpscale.compose(
                    plan: plan, base: base, result: { try reader.result(of: $0, covering: plan.renderRect($0)) })
                try InProcessUpscaler.writeOutput(image, plan: plan, sourceIsOpaque: sourceIsOpaque, to: temp)
                try AtomicFile.commit(temporaryPath: temp, to: folder.outputPath)
                let size = (try? FileManager.default.attributesOfItem(atPath: folder.outputPath))?[.size] as? NSNumber
                return size?.intValue ?? 0
            }
            let renderer: any TesseraImaging.TileRenderer = plan.spec.inpaint
                ? try InpaintJobs.assemblyRenderer(plan: plan, source: source, folder: folder, stored: StoredTileReader(folder: folder))
                : StoredTileReader(folder: folder)
            try TiledUpscale(plan: plan.tilePlan).run(
                renderer: renderer,
                writingTo: temp, format: InProcessUpscaler.outputFormat(sourceIsOpaque: sourceIsOpaque),
                textChunks: [.parameters(UpscaleInfotext.text(plan: plan, version: TesseraVersion.current))])
            try AtomicFile.commit(temporaryPath: temp, to: folder.outputPath)
            let size = (try? FileManager.default.attributesOfItem(atPath: folder.outputPath))?[.size] as? NSNumber
            return size?.intValue ?? 0
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError.processFailure("cannot write output: \(error)")
        }
    }
}

/// Feeds the imaging driver the tiles workers rendered, read back (and checksum-verified) from the job folder.
struct StoredTileReader: TesseraImaging.TileRenderer {
    let folder: JobFolder

    func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
        try result(of: tile.index, covering: tile.context)
    }

    /// The stored result of tile `index`, which must cover `rect`.
    func result(of index: Int, covering rect: TesseraImaging.PixelRect) throws -> RGBAImage {
        let file = try TileResultFile.load(folder.tilePath(index))
        guard file.x == rect.x, file.y == rect.y, file.width == rect.width, file.height == rect.height else {
            throw ClusterError.fileUnreadable(
                path: folder.tilePath(index), reason: "tile covers the wrong rectangle for this plan")
        }
        return try RGBAImage(width: file.width, height: file.height, pixels: file.pixels)
    }
}
