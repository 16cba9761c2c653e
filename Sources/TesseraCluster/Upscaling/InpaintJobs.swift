import Foundation
import TesseraImageOps
import TesseraImaging

/// Reading an inpaint job's mask file, and the output of an inpaint job from its stored tiles.
enum InpaintJobs {
    static func decodeMask(_ png: Data) throws -> GreyImage {
        do {
            return InpaintTiles.mask(from: try PNGImage.read(data: [UInt8](png), name: "mask").rgba8)
        } catch {
            throw ClusterError.invalidParameter(field: "mask", reason: "\(error)")
        }
    }

    static func loadMask(folder: JobFolder) throws -> GreyImage {
        guard let data = FileManager.default.contents(atPath: folder.maskPath) else {
            throw ClusterError.fileUnreadable(path: folder.maskPath, reason: "cannot read the inpaint mask")
        }
        return try decodeMask(data)
    }

    /// The tile renderer assembling an inpaint job: stored tiles where the mask reached, the pre-upscale elsewhere.
    static func assemblyRenderer(plan: UpscalePlan, source: RGBAImage, folder: JobFolder, stored: any TileRenderer) throws
        -> InpaintTileRenderer
    {
        let mask = try loadMask(folder: folder)
        let affected = try InpaintTiles.affected(plan: plan.tilePlan, mask: mask, maskBlur: plan.spec.maskBlur)
        let name = plan.spec.diffusion?.preUpscaler ?? "lanczos"
        guard let filter = ClassicalUpscaler.filter(named: name) else {
            throw ClusterError.invalidParameter(field: "pre_upscaler", reason: "unknown upscaler \"\(name)\"")
        }
        return InpaintTileRenderer(
            affected: Set(affected), preUpscale: ResamplingTileRenderer(source: source, filter: filter), redrawn: stored)
    }
}
