import Foundation
import TOMLKit

/// A job described in a TOML file for `tessera submit JOB.toml`:
///
/// ```toml
/// input = "photo.png"        # relative to the job file
/// [job]
/// upscaler = "lanczos"
/// scale = 2
/// tile_width = 512
/// padding = 32
/// redraw_mode = "chess"
/// priority = 70
/// ```
///
/// or a generation job (A1111's txt2img / img2img / inpaint, API names; `input` and `mask` as the mode needs):
///
/// ```toml
/// input = "photo.png"
/// [generation]
/// mode = "img2img"           # default: inpaint with a mask, img2img with an input, else txt2img
/// checkpoint = "v1-5-pruned-emaonly"
/// prompt = "a lighthouse at dusk"
/// denoising_strength = 0.5
/// n_iter = 4                 # four jobs, seeds seed … seed + 3
/// ```
public struct JobFile: Sendable, Equatable {
    /// The source PNG; nil only for a txt2img generation job.
    public var input: String?
    /// For a generation job with `batch_size · n_iter` > 1 the first image's spec; `jobs()` gives them all.
    public var spec: UpscaleJobSpec
    /// Inpaint jobs: the mask PNG (white = repaint, output size), relative to the job file like `input`; giving it
    /// makes the job an inpaint job.
    public var mask: String?

    /// A generation job file's settings before splitting into one-image jobs.
    public var generation: GenerationJobSettings?

    struct Raw: Decodable {
        var input: String?
        var mask: String?
        var job: UpscaleJobSpec?
        var generation: GenerationJobSettings?
    }

    /// Only `generation.mode`, to tell "not given" from txt2img.
    struct RawMode: Decodable {
        struct Table: Decodable { var mode: String? }
        var generation: Table?
    }

    public static func load(path: String) throws -> JobFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterError.fileUnreadable(path: path, reason: "cannot read job file")
        }
        let raw: Raw
        do {
            raw = try TOMLDecoder().decode(Raw.self, from: String(decoding: data, as: UTF8.self))
        } catch let error as TOMLParseError {
            throw ClusterError.configInvalid(path: path, reason: "line \(error.source.begin.line): \(error.description)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ClusterError.configInvalid(path: path, reason: "\(key): \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            // Decoders differ on whether the coding path already ends with the missing key.
            var keys = context.codingPath.map(\.stringValue)
            if keys.last != key.stringValue { keys.append(key.stringValue) }
            throw ClusterError.configInvalid(path: path, reason: "\(keys.joined(separator: ".")): missing")
        } catch let error as ClusterError {
            throw ClusterError.configInvalid(path: path, reason: "\(error)")
        } catch {
            throw ClusterError.configInvalid(path: path, reason: "\(error)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : base.appendingPathComponent(file).path }
        if var generation = raw.generation {
            let text = String(decoding: data, as: UTF8.self)
            let givenMode = (try? TOMLDecoder().decode(RawMode.self, from: text))?.generation?.mode
            if givenMode == nil {
                generation.mode = raw.mask != nil ? .inpaint : (raw.input != nil ? .img2img : .txt2img)
            }
            for k in generation.controlNets.indices { generation.controlNets[k].image = generation.controlNets[k].image.map(resolve) }
            return try generationFile(generation, raw: raw, path: path, input: raw.input.map(resolve), mask: raw.mask.map(resolve))
        }
        guard let input = raw.input, !input.isEmpty else {
            throw ClusterError.configInvalid(path: path, reason: "input: missing (the PNG to upscale)")
        }
        let resolved = resolve(input)
        var spec = raw.job ?? UpscaleJobSpec()
        let mask = raw.mask.map(resolve)
        if mask != nil { spec.inpaint = true }
        do { try spec.validate() } catch { throw ClusterError.configInvalid(path: path, reason: "job.\(error)") }
        if spec.inpaint && mask == nil {
            throw ClusterError.configInvalid(path: path, reason: "mask: missing (job.inpaint is set; give the mask PNG)")
        }
        return JobFile(input: resolved, spec: spec, mask: mask)
    }

    private static func generationFile(
        _ generation: GenerationJobSettings, raw: Raw, path: String, input: String?, mask: String?
    ) throws -> JobFile {
        func invalid(_ reason: String) -> ClusterError { .configInvalid(path: path, reason: reason) }
        var priority = UpscaleJobSpec.defaultPriority
        if let job = raw.job {
            var rest = job
            rest.priority = UpscaleJobSpec.defaultPriority
            guard rest == UpscaleJobSpec() else {
                throw invalid("job: a [generation] job file takes only `priority` in [job]; the upscale settings do not apply")
            }
            priority = job.priority
        }
        switch generation.mode {
        case .txt2img:
            if input != nil { throw invalid("input: a txt2img job takes no init image (set generation.mode = \"img2img\" to use it)") }
        case .img2img, .inpaint:
            if input == nil { throw invalid("input: missing (the init image of the \(generation.mode.rawValue) job)") }
        }
        if generation.mode == .inpaint, mask == nil { throw invalid("mask: missing (generation.mode is \"inpaint\"; give the mask PNG)") }
        if generation.mode != .inpaint, mask != nil {
            throw invalid("mask: given, but generation.mode is \"\(generation.mode.rawValue)\"; use \"inpaint\"")
        }
        var first = generation
        first.batchSize = 1
        first.batchCount = 1
        let spec = UpscaleJobSpec.generation(first, priority: priority)
        do {
            try spec.validate()
            _ = try generation.splitIntoImages()
        } catch {
            throw invalid("\(error)")
        }
        return JobFile(input: input, spec: spec, mask: mask, generation: generation)
    }

    /// The jobs to submit: the upscale job, or one job per image of a generation file's `batch_size · n_iter`
    /// with A1111's seeds (drawn now when the file says −1, so the images of a batch get consecutive seeds).
    public func jobs() throws -> [UpscaleJobSpec] {
        guard var generation else { return [spec] }
        // The control images travel as `hint` payloads (`hintPaths`); the job keeps only their names.
        for k in generation.controlNets.indices {
            generation.controlNets[k].image = generation.controlNets[k].image.map { URL(fileURLWithPath: $0).lastPathComponent }
        }
        return try generation.splitIntoImages().map { UpscaleJobSpec.generation($0, priority: spec.priority) }
    }

    /// The control images of a generation job's ControlNet units that have one, in unit order (resolved paths).
    public var hintPaths: [String] { generation?.controlNets.compactMap(\.image) ?? [] }
}
