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
public struct JobFile: Sendable, Equatable {
    public var input: String
    public var spec: UpscaleJobSpec
    /// Inpaint jobs: the mask PNG (white = repaint, output size), relative to the job file like `input`; giving it
    /// makes the job an inpaint job.
    public var mask: String?

    struct Raw: Decodable {
        var input: String?
        var mask: String?
        var job: UpscaleJobSpec?
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
        } catch {
            throw ClusterError.configInvalid(path: path, reason: "\(error)")
        }
        guard let input = raw.input, !input.isEmpty else {
            throw ClusterError.configInvalid(path: path, reason: "input: missing (the PNG to upscale)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        let resolved = input.hasPrefix("/") ? input : base.appendingPathComponent(input).path
        var spec = raw.job ?? UpscaleJobSpec()
        let mask = raw.mask.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
        if mask != nil { spec.inpaint = true }
        do { try spec.validate() } catch { throw ClusterError.configInvalid(path: path, reason: "job.\(error)") }
        if spec.inpaint && mask == nil {
            throw ClusterError.configInvalid(path: path, reason: "mask: missing (job.inpaint is set; give the mask PNG)")
        }
        return JobFile(input: resolved, spec: spec, mask: mask)
    }
}
