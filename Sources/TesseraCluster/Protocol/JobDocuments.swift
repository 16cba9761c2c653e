import TesseraImaging
import Foundation

/// The parameter document of a TILE message: the job's spec and the source size, from which the worker rebuilds the
/// same `UpscalePlan` the coordinator uses.
public struct TileParameters: Codable, Sendable, Equatable {
    public var spec: UpscaleJobSpec
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// Set when the tile is a stage of a distributed tiled-diffusion job (docs/distributed-multidiffusion.md).
    public var latentStage: LatentStageDocument? = nil
    /// Set when the tile's `context` payload is only this rectangle of the source (`UpscalePlan.sourceWindow`), sent
    /// with every tile instead of the whole source once per worker.
    public var sourceWindow: TesseraImaging.PixelRect? = nil

    enum CodingKeys: String, CodingKey {
        case spec
        case sourceWidth = "source_width"
        case sourceHeight = "source_height"
        case latentStage = "latent_stage"
        case sourceWindow = "source_window"
    }
}

/// The parameter document of a SUBMIT message. The source PNG travels as the `initImage` payload of SUBMIT, or,
/// when larger than `SubmitDocument.inlineLimit`, is uploaded first in UPLOAD chunks and referenced by `upload_id`.
public struct SubmitDocument: Codable, Sendable, Equatable {
    public var job: UpscaleJobSpec
    public var uploadId: String?
    /// File name the user gave (for logs and status only).
    public var sourceName: String?

    /// PNG files up to this size ride inside SUBMIT; larger ones are uploaded in chunks of `chunkSize`.
    public static let inlineLimit = 32 << 20
    public static let chunkSize = 8 << 20

    enum CodingKeys: String, CodingKey {
        case job
        case uploadId = "upload_id"
        case sourceName = "source_name"
    }

    public init(job: UpscaleJobSpec, uploadId: String? = nil, sourceName: String? = nil) {
        self.job = job
        self.uploadId = uploadId
        self.sourceName = sourceName
    }
}

enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context),
            let DecodingError.valueNotFound(_, context)
        {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ClusterError.invalidParameter(field: key.isEmpty ? what : key, reason: context.debugDescription)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ClusterError.invalidParameter(field: key.stringValue, reason: "is missing")
        } catch {
            throw ClusterError.invalidParameter(field: what, reason: "\(error)")
        }
    }
}
