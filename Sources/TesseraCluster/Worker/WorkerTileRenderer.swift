import Synchronization
import TesseraImageOps
import TesseraImaging

/// Everything a renderer needs for one tile: the job's plan, which tile, and the source image (or the window of it
/// that the tile reads, `UpscalePlan.sourceWindow(forTile:)`).
public struct TileWork: Sendable {
    public var jobId: String
    public var tileIndex: Int
    public var attempt: Int
    public var plan: UpscalePlan
    public var source: SourceWindow
    /// For a stage of a distributed tiled-diffusion job: what to compute, and its Float32 latent input.
    public var latentStage: LatentStageWork? = nil
    /// For a causal (USDU / seams fix) tile: the current canvas inside the unit's `window`, i.e. the base image with
    /// the tile's dependencies pasted in index order. nil for feathered tiles, which read only `source`.
    public var input: RGBAImage?
    /// For a tile of an inpaint job: the job's mask inside `InpaintTiles.maskWindow` of the tile (unblurred).
    public var mask: GreyImage?
    /// For a generation job: the control images of its ControlNet units that have one, in unit order.
    public var hints: [RGBAImage] = []

    public init(
        jobId: String, tileIndex: Int, attempt: Int, plan: UpscalePlan, source: SourceWindow, input: RGBAImage? = nil,
        mask: GreyImage? = nil
    ) {
        self.jobId = jobId
        self.tileIndex = tileIndex
        self.attempt = attempt
        self.plan = plan
        self.source = source
        self.input = input
        self.mask = mask
    }

    /// Work on the whole source image.
    public init(
        jobId: String, tileIndex: Int, attempt: Int, plan: UpscalePlan, source: RGBAImage, input: RGBAImage? = nil,
        mask: GreyImage? = nil
    ) {
        self.init(jobId: jobId, tileIndex: tileIndex, attempt: attempt, plan: plan, source: SourceWindow(whole: source),
                  input: input, mask: mask)
    }

    /// The output rectangle the renderer must produce.
    public var renderRect: TesseraImaging.PixelRect {
        if let latentStage { return PixelRect(x: 0, y: 0, width: latentStage.resultWidth, height: latentStage.resultHeight) }
        return plan.renderRect(tileIndex)
    }
}

/// Lets a renderer report per-tile progress (which renews the tile's lease) and notice cancellation.
public final class TileProgressReporter: Sendable {
    private let onProgress: @Sendable (Double) -> Void
    private let cancelled = Atomic<Bool>(false)
    private let last = Mutex<Double>(0)

    public init(onProgress: @escaping @Sendable (Double) -> Void = { _ in }) {
        self.onProgress = onProgress
    }

    /// Reports the fraction (0…1) of the tile done so far.
    public func report(_ fraction: Double) {
        let clamped = min(1, max(0, fraction))
        last.withLock { $0 = clamped }
        onProgress(clamped)
    }

    /// The fraction last reported (0 before the first report).
    public var lastFraction: Double { last.withLock { $0 } }

    /// Set when the coordinator revoked the tile or the worker is shutting down.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    public func cancel() { cancelled.store(true, ordering: .relaxed) }
}

/// Why a tile could not be rendered. Fatal errors fail the whole job at once (bad parameters);
/// retryable ones send the tile to another worker.
public enum TileRenderError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameters(String)
    case modelNotFound(String)
    case failed(String)
    case cancelled

    /// A missing model is not fatal: another worker may have it (the coordinator routes by advertised models, but a
    /// path can exist on one machine and not another); the tile's attempt limit still ends a job nobody can render.
    public var isFatal: Bool {
        switch self {
        case .invalidParameters: return true
        case .modelNotFound, .failed, .cancelled: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidParameters(let s): return "invalid parameters: \(s)"
        case .modelNotFound(let s): return "model not found: \(s)"
        case .failed(let s): return s
        case .cancelled: return "cancelled"
        }
    }
}

/// A way of turning a tile of source image into a tile of output image.
///
/// Implementations: the classical resampling renderer here; the diffusion renderer plugs in the same way (it reads
/// its prompt/sampler settings from the plan's spec, reports progress per sampling step, and lists the models it
/// has in `models`). Renderers are called from render threads, several tiles at once.
public protocol WorkerTileRenderer: Sendable {
    /// Upscaler names this renderer serves (advertised to the coordinator in HELLO).
    var names: [String] { get }
    /// Models this renderer can use, advertised in HELLO so the coordinator only sends tiles whose models are here;
    /// empty for classical renderers.
    var models: [AdvertisedModel] { get }
    /// Renders `work.renderRect` of the output. Must be deterministic: the same work gives the same pixels.
    func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage
}
