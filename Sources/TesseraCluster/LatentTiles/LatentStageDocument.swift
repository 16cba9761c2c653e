import Foundation
import TesseraImaging
import TesseraPipelines
import TesseraTensor
import TesseraWire

/// The `latent_stage` member of a TILE parameter document (docs/protocol.md, "Latent stages", version 1): which
/// step of a distributed tiled-diffusion job the tile is.
public struct LatentStageDocument: Codable, Sendable, Equatable {
    /// The newest layout version of this document and of the latent payloads; a worker refuses newer ones.
    /// Version 2 adds `timestep` (DDIM/PLMS calls), version 3 the `invert` kind (noise inversion). Each document is
    /// sent with the lowest version that can express it, so only a job that needs a newer feature needs workers
    /// that know it (an older one refuses the tile instead of computing it wrong).
    public static let currentVersion = 3

    public enum Kind: String, Codable, Sendable {
        /// VAE-encode the pre-upscaled init image; RESULT: the `[1, 4, h, w]` latent.
        case encode
        /// One latent tile of one model call; TILE carries the tile's crop, RESULT its CFG-combined eps.
        case denoise
        /// One latent tile of one noise inversion step (version 3): TILE carries the crop already scaled by c_in,
        /// RESULT the positive prompt's eps at `timestep` (no CFG, no ControlNet). `call` is the inversion step.
        case invert
        /// VAE-decode the final latent (carried in TILE); RESULT: the output image at the target size.
        case decode
    }

    public var version: Int
    public var kind: Kind
    /// Model-call index (denoise only).
    public var call: Int
    /// `state.sampling_step` at the call (denoise only).
    public var samplingStep: Int
    /// Noise level of the call (denoise only).
    public var sigma: Float
    /// Tile index in the latent grid (denoise only).
    public var tile: Int
    /// Model timestep of a timestep sampler's call (DDIM, PLMS; denoise only) or of an inversion step (invert,
    /// fractional when retouch > 1): the crop is evaluated as sent at this timestep instead of at `sigma`. Absent for
    /// k-diffusion calls.
    public var timestep: Float?

    public init(kind: Kind, call: Int = 0, samplingStep: Int = 0, sigma: Float = 0, timestep: Float? = nil, tile: Int = 0) {
        version = kind == .invert ? 3 : timestep == nil ? 1 : 2
        self.kind = kind
        self.call = call
        self.samplingStep = samplingStep
        self.sigma = sigma
        self.timestep = timestep
        self.tile = tile
    }

    enum CodingKeys: String, CodingKey {
        case version, kind, call
        case samplingStep = "sampling_step"
        case sigma, tile, timestep
    }
}

/// A latent stage as a worker's renderer receives it.
public struct LatentStageWork: Sendable {
    public var document: LatentStageDocument
    /// The Float32 input (little-endian): the tile crop for `denoise`, the whole latent for `decode`; empty for `encode`.
    public var input: [Float]
    /// Size of the RGBA8 result the coordinator expects (the TILE rectangle).
    public var resultWidth: Int
    public var resultHeight: Int

    public init(document: LatentStageDocument, input: [Float], resultWidth: Int, resultHeight: Int) {
        self.document = document
        self.input = input
        self.resultWidth = resultWidth
        self.resultHeight = resultHeight
    }
}

/// Float32 tensors on the wire (docs/protocol.md, "Latent stages").
///
/// TILE carries its input as an opaque payload of role `latent`: the values, little-endian, in NCHW order (the
/// shape follows from the job). RESULT reuses the ordinary `rgba8` result payload with one value per pixel (its four
/// bytes are the little-endian Float32), `width` = tensor width and `height` = channels × tensor height, so workers
/// return tensors through the unchanged image result path.
public enum LatentWireCodec {
    public static func bytes(_ values: [Float]) -> Data {
        var data = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    public static func floats(_ data: Data, count: Int, what: String) throws -> [Float] {
        guard data.count == count * 4 else {
            throw ClusterError.invalidParameter(field: what, reason: "has \(data.count) bytes, expected \(count) Float32 values (\(count * 4) bytes)")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// A `[1, C, h, w]` tensor as the RGBA8 result image described above.
    public static func image(_ tensor: Tensor) throws -> RGBAImage {
        let (c, h, w) = (tensor.shape[1], tensor.shape[2], tensor.shape[3])
        return try RGBAImage(width: w, height: c * h, pixels: [UInt8](bytes(tensor.data)))
    }

    /// The tensor of shape `shape` packed in a result image's pixels.
    public static func tensor(pixels: Data, shape: [Int], what: String) throws -> Tensor {
        Tensor(shape: shape, data: try floats(pixels, count: shape.reduce(1, *), what: what))
    }
}

/// The identity of one latent-stage tile on the wire and in the scheduler.
///
/// On the wire the TileRef keeps the job's own id (so the worker's cached source image is found) and marks the
/// tile id with the top bit: `0x8000_0000 | stage << 16 | tile`. Stage 0 is the encode, `1 + call` a model
/// call, `0x7800 + step` a noise inversion step, 0x7FFF the decode. In the coordinator's scheduler every stage is its own short-lived job `"<job>~<stage>"`,
/// so leases, retries, blocklisting and worker-loss handling apply unchanged.
public struct LatentStageKey: Hashable, Sendable {
    public static let flag: UInt32 = 0x8000_0000
    public static let encodeStage = 0
    public static let decodeStage = 0x7FFF
    /// The first noise inversion stage; model calls stay below it (30 719 calls, far above 150 steps × 2 calls).
    public static let inversionStageBase = 0x7800
    public static let maxTiles = 0x1_0000

    public var jobId: String
    public var stage: Int
    public var tile: Int

    public init(jobId: String, stage: Int, tile: Int) {
        self.jobId = jobId
        self.stage = stage
        self.tile = tile
    }

    /// The stage of model call `call`.
    public static func stage(ofCall call: Int) -> Int { call + 1 }

    /// The stage of a round: its model call, or its noise inversion step.
    public static func stage(of round: LatentTileRound) -> Int {
        round.kind == .inversion ? inversionStageBase + round.call : stage(ofCall: round.call)
    }

    /// Recognises a latent-stage tile id; nil for ordinary tiles.
    public init?(jobId: String, tileID: UInt32) {
        guard tileID & Self.flag != 0 else { return nil }
        self.init(jobId: jobId, stage: Int((tileID >> 16) & 0x7FFF), tile: Int(tileID & 0xFFFF))
    }

    /// Recognises a stage job of the scheduler.
    public init?(schedulerKey key: TileKey) {
        guard let cut = key.jobId.lastIndex(of: "~"), let stage = Int(key.jobId[key.jobId.index(after: cut)...]) else { return nil }
        self.init(jobId: String(key.jobId[..<cut]), stage: stage, tile: key.index)
    }

    public var tileID: UInt32 { Self.flag | UInt32(stage) << 16 | UInt32(tile) }
    public var schedulerJobId: String { Self.schedulerJobId(jobId, stage: stage) }
    public var schedulerKey: TileKey { TileKey(jobId: schedulerJobId, index: tile) }

    public static func schedulerJobId(_ jobId: String, stage: Int) -> String { "\(jobId)~\(stage)" }
}

extension LatentStageWork {
    /// The latent stage a TILE describes, or nil for an ordinary tile; a malformed latent payload is an error.
    public init?(parameters: TileParameters, payloads: [Payload], rect: TileRect) throws {
        guard let document = parameters.latentStage else { return nil }
        var input: [Float] = []
        if let payload = payloads.first(where: { $0.role == .latent }) {
            guard payload.format == .opaque, payload.bytes.count % 4 == 0 else {
                throw ClusterError.invalidParameter(field: "latent payload", reason: "must be opaque Float32 values (a multiple of 4 bytes), got \(payload.bytes.count) bytes")
            }
            input = try LatentWireCodec.floats(payload.bytes, count: payload.bytes.count / 4, what: "latent payload")
        }
        self.init(document: document, input: input, resultWidth: Int(rect.width), resultHeight: Int(rect.height))
    }
}
