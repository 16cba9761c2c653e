import Foundation

/// Wall-clock time per stage of `StableDiffusionPipeline` runs, for benchmarks.
///
/// Attach one with `StableDiffusionPipeline.stageTimer`; with none attached (the default) the
/// pipeline reads no clock at all, so production runs pay only a nil check per stage.
public final class PipelineStageTimer: @unchecked Sendable {
    /// A part of a generation.
    public enum Stage: String, Sendable, CaseIterable {
        case textEncoder = "text encoder"
        case vaeEncode = "VAE encode"
        case unet = "UNet"
        case controlNet = "ControlNet"
        /// The whole sampling loop, model calls included (see `samplerOnly`).
        case sampling = "sampling"
        case vaeDecode = "VAE decode"
        /// A whole `generateImages` call.
        case total = "total"
    }

    private let lock = NSLock()
    private var seconds: [Stage: Double] = [:]
    private var counts: [Stage: Int] = [:]

    public init() {}

    /// Runs `body`, adding its duration to `stage`.
    public func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.lock()
            seconds[stage, default: 0] += elapsed
            counts[stage, default: 0] += 1
            lock.unlock()
        }
        return try body()
    }

    /// Seconds spent in `stage` so far.
    public func seconds(_ stage: Stage) -> Double {
        lock.lock(); defer { lock.unlock() }
        return seconds[stage] ?? 0
    }

    /// How many times `stage` was entered.
    public func count(_ stage: Stage) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts[stage] ?? 0
    }

    /// The sampler's own arithmetic: sampling time minus the UNet and ControlNet calls inside it.
    public var samplerOnly: Double { max(0, seconds(.sampling) - seconds(.unet) - seconds(.controlNet)) }

    /// Everything not attributed to a stage: total minus text encoder, VAE and sampling.
    public var overhead: Double {
        max(0, seconds(.total) - seconds(.textEncoder) - seconds(.vaeEncode) - seconds(.sampling) - seconds(.vaeDecode))
    }

    /// Forgets everything measured.
    public func reset() {
        lock.lock(); defer { lock.unlock() }
        seconds = [:]
        counts = [:]
    }
}

extension Optional where Wrapped == PipelineStageTimer {
    /// `body` timed under `stage` when a timer is attached, else just `body`.
    @inline(__always)
    func measure<T>(_ stage: PipelineStageTimer.Stage, _ body: () throws -> T) rethrows -> T {
        guard let timer = self else { return try body() }
        return try timer.measure(stage, body)
    }
}
