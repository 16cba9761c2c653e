import ArgumentParser
import Foundation
import TesseraCluster
import TesseraImaging
import TesseraModels
import TesseraPipelines
import TesseraTensor

/// `tessera-bench upscale`: a diffusion upscale (img2img per tile + Tile ControlNet) of a sample photo with
/// full-size random-weight SD1.5 and ControlNet, through a coordinator and 1…N in-process workers.
///
/// Prints wall time, time per tile, and the share of the wall time that is not UNet / ControlNet / VAE compute.
/// Compute time is measured on the workers: every UNet, ControlNet, VAE encode and VAE decode call of every tile adds
/// its duration to a `PipelineStageTimer`. The rest of `workers × wall` is text encoding, sampler arithmetic, tiling,
/// colour fix, transport, blending and PNG work. The 64-worker projection adds the cluster benchmark's per-tile
/// coordinator overhead to this run's time per tile.
struct UpscaleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Time a 2x diffusion upscale with full-size random-weight SD1.5 + Tile ControlNet on 1…N local workers.")

    @Option(help: "Sample photo to upscale (resized to --source-size square first).")
    var sample: String = "tiles/samples/astronaut.png"

    @Option(help: "Side the sample is resized to before upscaling.")
    var sourceSize: Int = 1024

    @Option(help: "Upscale factor.")
    var scale: Double = 2

    @Option(help: "Comma-separated worker counts to run, e.g. 1,2.")
    var workers: String = "1,2"

    @Option(help: "Sampling steps (A1111 runs int(steps × denoise) of them in img2img).")
    var steps: Int = 20

    @Option(help: "Denoising strength.")
    var denoise: Double = 0.35

    @Option(help: "Tile width (USDU tile_width).")
    var tile: Int = 512

    @Option(help: "Tile padding.")
    var padding: Int = 32

    @Option(help: "Folder for the random-weight model files (written once, reused when present).")
    var modelsDir: String = NSTemporaryDirectory() + "tessera-bench-models"

    @Option(help: "Per-tile coordinator overhead in ms at 64 workers, from `tessera-bench cluster` (benchmarks/README.md).")
    var clusterOverheadMs: Double = 1.29

    func validate() throws {
        guard sourceSize >= 64 else { throw ValidationError("--source-size must be at least 64, got \(sourceSize)") }
        guard (1...150).contains(steps) else { throw ValidationError("--steps must be in 1...150, got \(steps)") }
        guard denoise > 0, denoise <= 1 else { throw ValidationError("--denoise must be in (0, 1], got \(denoise)") }
        guard !workerCounts.isEmpty, workerCounts.allSatisfy({ (1...16).contains($0) }) else {
            throw ValidationError("--workers must list counts in 1...16, got '\(workers)'")
        }
    }

    var workerCounts: [Int] { workers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        let photo = try PNGImage.read(path: sample).rgba8
        let source = try Resampler.resize(photo, width: sourceSize, height: sourceSize, filter: .lanczos)
        let models = try RandomModelFolder(root: modelsDir)
        say("upscale bench: \(sample) resized to \(sourceSize)x\(sourceSize), ×\(scale), tile \(tile) + padding \(padding), "
            + "\(steps) steps × denoise \(denoise), Euler a, CFG 7, Tile ControlNet; full-size SD1.5 random weights; "
            + "\(Parallel.coreCount) cores, OpenBLAS \(BLAS.kernelName)")
        let settings = DiffusionUpscaleSettings(
            checkpoint: models.checkpoint, prompt: "a photograph, highly detailed", negativePrompt: "blurry",
            sampler: "Euler a", steps: steps, cfgScale: 7, denoisingStrength: denoise, seed: 1,
            controlNetTile: DiffusionControlNetTile(model: models.controlNet))
        let spec = UpscaleJobSpec(upscaler: DiffusionUpscaleSettings.rendererName, scale: scale, tileWidth: tile,
                                  padding: padding, diffusion: settings)
        let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
        var first: (workers: Int, wall: Double)?
        var soloTile: Double?
        for count in workerCounts {
            let run = try measure(workers: count, spec: spec, source: source, models: models)
            let compute = run.computeSeconds
            let perTile = run.wall * Double(count) / Double(plan.tileCount)
            first = first ?? (count, run.wall)
            say(String(format: "  per stage, all workers: UNet %.1f s, ControlNet %.1f s, VAE encode %.1f s, VAE decode %.1f s, "
                       + "text encoder %.1f s, sampler %.1f s", run.stages.seconds(.unet), run.stages.seconds(.controlNet),
                       run.stages.seconds(.vaeEncode), run.stages.seconds(.vaeDecode), run.stages.seconds(.textEncoder),
                       run.stages.samplerOnly))
            soloTile = soloTile ?? run.renderSeconds / Double(plan.tileCount)
            say(String(format: "%d worker(s): %d tiles of %dx%d in %.1f s wall, %.1f s per tile per worker "
                       + "(worker-side render %.1f s), UNet+ControlNet+VAE compute %.1f s, not compute %.2f %% "
                       + "(goal < 3 %%), %.2f× the speed of %d worker(s)",
                       count, plan.tileCount, plan.outputWidth, plan.outputHeight, run.wall, perTile,
                       run.renderSeconds / Double(plan.tileCount), compute,
                       100 * (1 - compute / (run.wall * Double(count))),
                       first!.wall / run.wall, first!.workers))
            if count == workerCounts.first, let soloTile {
                // One machine per worker, each rendering one tile at a time (as the run with the fewest workers on
                // this machine did); the coordinator adds its measured per-tile cost. Printed after the first run,
                // so a bench stopped during a later (oversubscribed) worker count still reports it.
                let perTileSeconds = soloTile
                let overhead = clusterOverheadMs / 1000
                let rounds = (plan.tileCount + 63) / 64
                say(String(format: "projection to 64 workers (%.2f ms coordinator overhead per tile from `tessera-bench cluster`): "
                           + "this job %.1f s (%d round(s) of one %.1f s tile); with ≥ 64 tiles per round the coordinator "
                           + "costs %.4f %% of each tile",
                           clusterOverheadMs, Double(rounds) * (perTileSeconds + overhead), rounds, perTileSeconds + overhead,
                           100 * overhead / (perTileSeconds + overhead)))
            }
        }
    }

    struct Run {
        var wall: Double
        var stages: PipelineStageTimer
        var renderSeconds: Double
        /// Time inside the UNet, ControlNet and VAE, summed over the workers.
        var computeSeconds: Double {
            [.unet, .controlNet, .vaeEncode, .vaeDecode].map { stages.seconds($0) }.reduce(0, +)
        }
    }

    /// One job through a coordinator and `count` in-process workers, each with its own model copy.
    private func measure(workers count: Int, spec: UpscaleJobSpec, source: RGBAImage, models: RandomModelFolder) throws -> Run {
        let state = NSTemporaryDirectory() + "tessera-bench-upscale-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        var config = CoordinatorConfig()
        config.workerEndpoint = "tcp://127.0.0.1:*"
        config.clientEndpoint = "tcp://127.0.0.1:*"
        config.stateDir = state + "/coordinator"
        let coordinator = Coordinator(config: config, logger: ClusterLogs.quiet("bench.coordinator"))
        let endpoints = try coordinator.start()
        defer { coordinator.requestStop(); coordinator.waitUntilStopped() }
        let loadStart = Date()
        let stages = PipelineStageTimer()
        let renderers = try (0..<count).map { _ in
            TimedTileRenderer(inner: try DiffusionTileRenderer(
                library: ModelLibrary(root: nil, files: [.controlNet: [models.controlNet]]), preload: [models.checkpoint],
                stageTimer: stages))
        }
        say(String(format: "  %d worker(s) loaded their checkpoint in %.1f s", count, Date().timeIntervalSince(loadStart)))
        let pool = renderers.enumerated().map { n, renderer in
            Worker(options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "bench-\(n)"),
                   renderer: renderer, logger: ClusterLogs.quiet("bench.worker"))
        }
        pool.forEach { $0.start() }
        // Wait for every render thread, however long its tile takes: the renderers (and their memory-mapped weights)
        // are freed when this function returns, and a tile still rendering then (e.g. a retry of a lease that expired
        // on an oversubscribed machine) would read unmapped memory.
        defer { pool.forEach { $0.requestStop() }; pool.forEach { $0.waitUntilStopped(timeoutSeconds: 24 * 3600) } }
        let client = try ClusterClient(endpoint: endpoints.client)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try source.writePNG(to: state + "/source.png", format: .rgb8)
        let png = try Data(contentsOf: URL(fileURLWithPath: state + "/source.png"))
        let start = Date()
        let job = try client.submit(png: png, spec: spec, sourceName: "source.png")
        let final = try client.watch(jobId: job, giveUpSeconds: 24 * 3600) { _, _ in }
        let wall = Date().timeIntervalSince(start)
        guard final.state == .done else { throw ValidationError("upscale job \(job) ended \(final.state): \(final.message)") }
        return Run(wall: wall, stages: stages, renderSeconds: renderers.map(\.seconds).reduce(0, +))
    }
}

/// Wraps a renderer and adds up the time its tiles take on the worker.
final class TimedTileRenderer: WorkerTileRenderer, @unchecked Sendable {
    let inner: any WorkerTileRenderer
    private let lock = NSLock()
    private var total = 0.0

    init(inner: any WorkerTileRenderer) { self.inner = inner }

    var names: [String] { inner.names }
    var models: [AdvertisedModel] { inner.models }
    var seconds: Double { lock.withLock { total } }

    func render(_ work: TileWork, progress: TileProgressReporter) throws -> RGBAImage {
        let start = Date()
        defer { let elapsed = Date().timeIntervalSince(start); lock.withLock { total += elapsed } }
        return try inner.render(work, progress: progress)
    }
}

/// Full-size SD1.5 (diffusers folder) and Tile ControlNet files with seeded random weights, written once as
/// fp16 safetensors so workers load them like real models.
struct RandomModelFolder {
    let root: String
    var checkpoint: String { root + "/sd15-random" }
    var controlNet: String { root + "/controlnet-tile-random.safetensors" }

    init(root: String) throws {
        self.root = root
        let fm = FileManager.default
        try fm.createDirectory(atPath: checkpoint, withIntermediateDirectories: true)
        let parts: [(String, () throws -> ParameterStore)] = [
            ("unet/diffusion_pytorch_model.safetensors", { try UNet(randomWeights: .sd15, seed: 1).parameters }),
            ("vae/diffusion_pytorch_model.safetensors", { try AutoencoderKL(randomWeights: .sd15, seed: 3).parameters }),
            ("text_encoder/model.safetensors", { try CLIPTextEncoder(randomWeights: .sd15, seed: 4).parameters }),
        ]
        for (file, make) in parts where !fm.fileExists(atPath: checkpoint + "/" + file) {
            let path = checkpoint + "/" + file
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let start = Date()
            try Self.writeHalfSafetensors(make(), to: path)
            say(String(format: "wrote %@ in %.1f s", path, Date().timeIntervalSince(start)))
        }
        if !fm.fileExists(atPath: controlNet) {
            try Self.writeHalfSafetensors(try ControlNet(randomWeights: .sd15, seed: 2).parameters, to: controlNet)
            say("wrote \(controlNet)")
        }
    }

    /// A safetensors file of `store`'s tensors in fp16 (the loaders widen it back to Float32).
    static func writeHalfSafetensors(_ store: ParameterStore, to path: String) throws {
        let names = store.names.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let tensor = store[name]
            header[name] = ["dtype": "F16", "shape": tensor.shape, "data_offsets": [offset, offset + 2 * tensor.count]]
            offset += 2 * tensor.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        guard FileManager.default.createFile(atPath: path + ".tmp", contents: nil) else {
            throw ValidationError("cannot create \(path).tmp")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".tmp"))
        var length = UInt64(json.count).littleEndian
        try handle.write(contentsOf: Data(bytes: &length, count: 8))
        try handle.write(contentsOf: json)
        for name in names {
            let values = store[name].data.map { Float16($0).bitPattern.littleEndian }
            try handle.write(contentsOf: values.withUnsafeBufferPointer { Data(buffer: $0) })
        }
        try handle.close()
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    }
}
