import Foundation
import TesseraImageOps
import TesseraImaging
import TesseraPipelines
import TesseraSampling

/// The coordinator's side of generation jobs: what a submitted job's source and mask are, and how its output file
/// is written.
public enum GenerationJobs {
    /// A submitted generation job with its seeds drawn (so every attempt renders the same image), its source image
    /// (the init image, or for txt2img a blank canvas of the output size that nothing reads) and its mask, all
    /// checked as the pipeline will check them.
    public struct Prepared: Sendable {
        public var settings: GenerationJobSettings
        public var source: RGBAImage
        public var mask: GreyImage?
        /// The control images of the units that have one, in unit order.
        public var hints: [RGBAImage]
    }

    public static func prepare(
        _ settings: GenerationJobSettings, source: RGBAImage?, maskPNG: Data?, hintPNGs: [Data] = []
    ) throws -> Prepared {
        var settings = settings
        settings.seed = SeedPlan.resolve(settings.seed)
        settings.subseed = SeedPlan.resolve(settings.subseed)
        var mask: GreyImage? = nil
        switch settings.mode {
        case .txt2img:
            guard source == nil else {
                throw ClusterError.invalidParameter(field: "image", reason: "a txt2img job takes no init image (set generation.mode = \"img2img\" to use it)")
            }
        case .img2img, .inpaint:
            guard source != nil else {
                throw ClusterError.invalidParameter(field: "image", reason: "an \(settings.mode.rawValue) job needs an init image")
            }
        }
        if settings.mode == .inpaint {
            guard let maskPNG else { throw ClusterError.invalidParameter(field: "mask", reason: "an inpaint job needs a mask image") }
            mask = try InpaintJobs.decodeMask(maskPNG)
        } else if maskPNG != nil {
            throw ClusterError.invalidParameter(field: "mask", reason: "given, but generation.mode is \"\(settings.mode.rawValue)\", not \"inpaint\"")
        }
        let hints = try decodeHints(hintPNGs, settings: settings)
        try settings.validate(initImage: source, mask: mask?.rgba, hints: hints)
        let size = settings.outputSize
        return Prepared(
            settings: settings, source: source ?? RGBAImage(width: size.width, height: size.height), mask: mask,
            hints: hints)
    }

    /// The control images from their PNG files; an unreadable one is an error naming its unit.
    static func decodeHints(_ pngs: [Data], settings: GenerationJobSettings) throws -> [RGBAImage] {
        let units = settings.controlNets.indices.filter { settings.controlNets[$0].image != nil }
        guard pngs.count == units.count else {
            throw ClusterError.invalidParameter(
                field: "generation.controlnet", reason: "\(units.count) unit(s) have an image but the job carries \(pngs.count) hint image(s)")
        }
        return try zip(units, pngs).map { index, png in
            let name = settings.controlNets[index].image ?? "hint"
            do { return try PNGImage.read(data: [UInt8](png), name: name).rgba8 } catch {
                throw ClusterError.invalidParameter(field: "generation.controlnet[\(index)].image", reason: "\(error)")
            }
        }
    }

    /// A stored job's control images (`JobFolder.hintPath`), after a coordinator restart.
    static func loadHints(folder: JobFolder, settings: GenerationJobSettings) throws -> [RGBAImage] {
        let pngs = try (0..<settings.hintCount).map { k -> Data in
            guard let data = FileManager.default.contents(atPath: folder.hintPath(k)) else {
                throw ClusterError.fileUnreadable(path: folder.hintPath(k), reason: "cannot read the ControlNet image")
            }
            return data
        }
        return try decodeHints(pngs, settings: settings)
    }

    /// Writes the output PNG as A1111 writes a generated image: RGB, with the worker's `parameters` text.
    static func writeOutput(plan: UpscalePlan, folder: JobFolder) throws -> Int {
        let tile = try StoredTileReader(folder: folder).result(of: 0, covering: plan.renderRect(0))
        let parametersPath = folder.parametersPath(0)
        guard let text = FileManager.default.contents(atPath: parametersPath).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw ClusterError.fileUnreadable(path: parametersPath, reason: "the image's parameters text is missing")
        }
        let temp = folder.outputPath + ".tmp"
        try tile.writePNG(to: temp, format: .rgb8, textChunks: [.parameters(text)])
        try AtomicFile.commit(temporaryPath: temp, to: folder.outputPath)
        let size = (try? FileManager.default.attributesOfItem(atPath: folder.outputPath))?[.size] as? NSNumber
        return size?.intValue ?? 0
    }
}
