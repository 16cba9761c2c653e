import ArgumentParser
import Foundation
import Logging
import TesseraCluster
import TesseraPipelines

/// `tessera worker --connect tcp://HOST:PORT [--threads N]`: renders tiles for a coordinator until SIGTERM.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run a render worker that connects to a coordinator.")

    @Option(name: .long, help: "Coordinator worker endpoint, e.g. tcp://127.0.0.1:5555.")
    var connect: String

    @Option(name: .long, help: "Tiles rendered at once.")
    var threads: Int = 1

    @Option(name: .long, help: "Worker id (default: <host>-<pid>-<random>).")
    var id: String?

    @Option(
        name: .customLong("render-delay-ms"),
        help: "Test/benchmark option: wait this long per tile (reporting progress) before rendering it.")
    var renderDelayMs: Int = 0

    @Option(name: .customLong("drain-timeout"), help: "Seconds running tiles may finish after SIGTERM before hand-back.")
    var drainTimeout: Double = 30

    @Option(name: .long, help: "Load this checkpoint (path, or name with --models-dir) at start and offer diffusion upscaling.")
    var checkpoint: String?

    @Option(name: .customLong("models-dir"), help: "A1111/ComfyUI models folder; offers diffusion upscaling with the checkpoints found there.")
    var modelsDir: String?

    @Option(name: .customLong("model"), help: "A model file to offer besides the models folder (checkpoint, ControlNet, LoRA, VAE or ESRGAN, detected from its tensors; repeatable). Jobs name it by its file stem or path.")
    var models: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard connect.contains("://") else { throw ValidationError("--connect must be an endpoint like tcp://HOST:PORT") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256") }
        guard renderDelayMs >= 0 else { throw ValidationError("--render-delay-ms must not be negative") }
    }

    func run() throws {
        var options = WorkerOptions(coordinator: connect, threads: threads, workerId: id)
        options.drainTimeoutSeconds = drainTimeout
        let base = try WorkerRenderers.make(checkpoint: checkpoint, modelsDir: modelsDir, files: models)
        let renderer: any WorkerTileRenderer = renderDelayMs > 0 ? DelayedTileRenderer(base, delayMilliseconds: renderDelayMs) : base
        let worker = Worker(options: options, renderer: renderer, logger: CLILogging.logger("tessera.worker", level: logLevel))
        let signals = SignalWatcher { _ in worker.requestStop() }
        defer { signals.cancel() }
        ParentDeathWatch.armIfRequested { worker.requestStop() }
        try worker.run()
    }
}

/// The renderers a worker (or an in-process upscale) offers: classical filters always; diffusion when a checkpoint
/// is given or found in the models folder or `files`; ESRGAN upscaling when an ESRGAN model is there.
enum WorkerRenderers {
    static func make(checkpoint: String?, modelsDir: String?, files: [String] = []) throws -> any WorkerTileRenderer {
        let library: ModelLibrary?
        do {
            library = modelsDir == nil && files.isEmpty ? nil : try ModelLibrary.detecting(root: modelsDir, files: files)
        } catch {
            throw CommandFailure("--model: \(error)")
        }
        var renderers: [any WorkerTileRenderer] = [ClassicalTileRenderer()]
        if checkpoint != nil || modelsDir != nil || !(library?.files[.checkpoint] ?? []).isEmpty {
            let diffusion: DiffusionTileRenderer
            do {
                diffusion = try DiffusionTileRenderer(library: library, preload: checkpoint.map { [$0] } ?? [])
            } catch {
                throw CommandFailure("--checkpoint: \(error)")
            }
            renderers += [diffusion, LatentTileRenderer(diffusion: diffusion)]
        }
        // ESRGAN models (folder or files) are offered by name; jobs needing one are routed by that name.
        if let library, modelsDir != nil || !(library.files[.upscaler] ?? []).isEmpty {
            renderers.append(try ESRGANTileRenderer(library: library))
        }
        return renderers.count == 1 ? renderers[0] : RoutingTileRenderer(renderers)
    }
}
