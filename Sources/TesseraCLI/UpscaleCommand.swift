import ArgumentParser
import Foundation
import TesseraCluster
import TesseraImageOps
import TesseraImaging
import TesseraPipelines
import TesseraTerminal

#if canImport(Glibc)
import Glibc
#endif

/// `tessera upscale IN.png --scale 2 -o OUT.png [--local N]`: a whole job on this machine, either in this process
/// or (with `--local N`) on a coordinator and N worker processes started for the occasion.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale", abstract: "Upscale a PNG in tiles, in this process or with --local N worker processes.")

    @Argument(help: "Input PNG.")
    var input: String

    @OptionGroup var job: JobOptions
    @OptionGroup var tiledDiffusion: TiledDiffusionOptions

    @Option(name: .shortAndLong, help: "Output PNG (default: <input>-upscaled.png).")
    var output: String?

    @Option(name: .long, help: "Run on a local cluster: one coordinator and N worker processes on loopback.")
    var local: Int?

    @Option(name: .long, help: "Render threads per local worker.")
    var threads: Int = 1

    @Option(name: .customLong("render-delay-ms"), help: "Test option: each local worker waits this long per tile.")
    var renderDelayMs: Int?

    @Option(name: .customLong("models-dir"), help: "A1111/ComfyUI models folder where --checkpoint and --controlnet-tile names are looked up.")
    var modelsDir: String?

    @Flag(name: .customLong("keep-state"), help: "Keep the local cluster's state directory and logs.")
    var keepState = false

    func validate() throws {
        if let local, !(1...256).contains(local) { throw ValidationError("--local must be in 1...256, got \(local)") }
        if !(1...256).contains(threads) { throw ValidationError("--threads must be in 1...256, got \(threads)") }
    }

    func run() throws {
        var spec = try tiledDiffusion.apply(to: try job.spec(over: UpscaleJobSpec(upscaler: "lanczos")))
        let outputPath = output ?? Self.defaultOutput(for: input)
        let png: PNGImage
        do { png = try PNGImage.read(path: input) } catch { throw CommandFailure("\(error)") }
        let source = png.rgba8
        let maskData = try job.maskData()
        let mask: GreyImage?
        do { mask = try maskData.map { InpaintTiles.mask(from: try PNGImage.read(data: [UInt8]($0), name: job.mask ?? "mask").rgba8) } } catch {
            throw CommandFailure("\(error)")
        }
        let library = modelsDir.map(ModelLibrary.init(root:))
        if spec.diffusion?.controlNetTile?.model == TileControlNetShorthand.name {
            guard let library else {
                throw CommandFailure("--controlnet tile: needs --models-dir to find the Tile ControlNet in (or give the model's path)")
            }
            do { spec = try TileControlNetShorthand.resolve(spec, available: library.modelNames(of: .controlNet)) } catch {
                throw CommandFailure("--controlnet tile: \(error)")
            }
        }
        if let diffusion = spec.diffusion {
            // One clear error up front instead of a failed tile (or workers that cannot start).
            do { try DiffusionTileRenderer(library: library).checkModels(diffusion) } catch { throw CommandFailure("\(error)") }
        }
        let esrgan = spec.diffusion == nil && ESRGANPreUpscale.isModelName(spec.upscaler)
        if esrgan {
            do { _ = try ESRGANTileRenderer(library: library).store.resolve(spec.upscaler) } catch { throw CommandFailure("\(error)") }
        }
        if let local {
            try runLocal(workers: local, spec: spec, outputPath: outputPath, sourceWidth: source.width,
                sourceHeight: source.height, mask: maskData)
        } else if spec.tiledDiffusion != nil {
            try TiledDiffusionOptions.runInProcess(source: source, spec: spec, outputPath: outputPath, library: library)
        } else {
            let plan = try UpscalePlan(spec: spec, sourceWidth: source.width, sourceHeight: source.height)
            let bar = ProgressBar.onStandardError(total: plan.tileCount, label: "upscale")
            // Ctrl-C: remove the half-written temporary file instead of leaving it next to the output.
            let temporary = InProcessUpscaler.temporaryPath(for: outputPath)
            let signals = SignalWatcher { _ in
                unlink(temporary)
                bar.finish(detail: "interrupted")
                Glibc.exit(130)
            }
            defer { signals.cancel() }
            let renderer: (any WorkerTileRenderer)? = try spec.diffusion.map { _ in try DiffusionTileRenderer(library: library) }
                ?? (esrgan ? try ESRGANTileRenderer(library: library) : nil)
            _ = try InProcessUpscaler.upscale(source: source, spec: spec, to: outputPath, renderer: renderer, mask: mask) { done, _ in
                bar.update(completed: done)
            }
            bar.finish(completed: plan.tileCount)
            print("Wrote \(outputPath) (\(plan.outputWidth)x\(plan.outputHeight), \(plan.tileCount) tiles)")
        }
    }

    /// The models of `spec` other than the checkpoint that are given as files.
    static func modelPaths(of spec: UpscaleJobSpec) -> [String] {
        spec.modelRequirements.filter { $0.kind != .checkpoint && $0.reference.contains("/") }.map(\.reference)
    }

    static func defaultOutput(for input: String) -> String {
        let url = URL(fileURLWithPath: input)
        return url.deletingPathExtension().path + "-upscaled.png"
    }

    private func runLocal(
        workers: Int, spec: UpscaleJobSpec, outputPath: String, sourceWidth: Int, sourceHeight: Int, mask: Data?
    ) throws {
        let plan = try UpscalePlan(spec: spec, sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        var template = Array((NSTemporaryDirectory() + "tessera-local-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure("cannot create a temporary directory") }
        let stateDir = String(cString: made)
        var extra: [String] = []
        if let renderDelayMs { extra += ["--render-delay-ms", "\(renderDelayMs)"] }
        if let modelsDir { extra += ["--models-dir", URL(fileURLWithPath: modelsDir).path] }
        // Workers load the job's checkpoint at start-up, so a bad model fails before any tile is handed out; the
        // other models given as paths are offered with --model, so the coordinator routes the job to the workers.
        if let diffusion = spec.diffusion { extra += ["--checkpoint", diffusion.checkpoint] }
        for path in Self.modelPaths(of: spec) { extra += ["--model", path] }
        let cluster = LocalCluster(
            executable: LocalCluster.currentExecutable(), stateDir: stateDir, workers: workers,
            threadsPerWorker: threads, extraWorkerArguments: extra)
        let interrupted = StopFlag()
        let signals = SignalWatcher { _ in interrupted.set() }
        var succeeded = false
        defer {
            cluster.stop()
            signals.cancel()
            if succeeded && !keepState { try? FileManager.default.removeItem(atPath: stateDir) }
            else { FileHandle.standardError.write(Data("tessera: local cluster logs kept in \(stateDir)/logs\n".utf8)) }
        }
        let endpoints = try cluster.start()
        let client = try ClusterClient(endpoint: endpoints.client)
        let pngData: Data
        do { pngData = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw CommandFailure("\(input): \(error.localizedDescription)")
        }
        let jobId = try client.submit(
            png: pngData, spec: spec, sourceName: URL(fileURLWithPath: input).lastPathComponent, mask: mask)
        let bar = ProgressBar.onStandardError(total: plan.tileCount, label: "upscale")
        var record = try client.status(jobId: jobId).first
        while let current = record, !current.state.isFinal {
            if interrupted.isSet {
                bar.finish(detail: "interrupted")
                throw ExitCode(130)
            }
            bar.update(completed: Int(current.tilesDone), detail: "\(workers) workers")
            usleep(100_000)
            if !cluster.workers.contains(where: \.isRunning) {
                throw CommandFailure("every local worker exited: \(cluster.logTail("worker-1.log"))")
            }
            if cluster.coordinator?.isRunning != true {
                throw CommandFailure("local coordinator died: \(cluster.logTail("coordinator.log"))")
            }
            record = try client.status(jobId: jobId).first
        }
        guard let final = record else { throw CommandFailure("job \(jobId) vanished") }
        guard final.state == .done else {
            bar.finish(detail: final.state == .failed ? "failed" : "cancelled")
            throw CommandFailure("job \(jobId) \(final.state == .failed ? "failed" : "was cancelled"): \(final.message)")
        }
        bar.finish(completed: plan.tileCount, detail: "\(workers) workers")
        let bytes = try client.fetch(jobId: jobId)
        try AtomicFile.write([UInt8](bytes), to: outputPath)
        succeeded = true
        print("Wrote \(outputPath) (\(plan.outputWidth)x\(plan.outputHeight), \(plan.tileCount) tiles, \(workers) workers)")
    }
}
