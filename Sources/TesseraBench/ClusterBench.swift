import ArgumentParser
import Foundation
import TesseraCluster
import TesseraImaging

/// `tessera-bench cluster`: what the coordinator and the wire cost per tile, and how well work spreads over workers.
///
/// Everything runs in this process on loopback (coordinator thread, worker threads with their own sockets), with
/// renderers that either return a blank tile at once (pure overhead) or sleep a fixed time (a simulated renderer).
/// Reported: tile messages/s through the coordinator, added latency per tile, scaling efficiency for 1…64 workers.
/// Goals: ≥ 5,000 msgs/s, ≤ 2 ms added per tile, ≥ 95 % efficiency at 64 workers.
struct ClusterBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Coordinator throughput, per-tile latency and worker scaling.")

    @Option(help: "Tiles in the throughput run.")
    var tiles = 5000

    @Option(help: "Workers in the throughput run (each with --threads render threads).")
    var throughputWorkers = 4

    @Option(help: "Render threads per worker in the throughput run.")
    var threads = 4

    @Option(help: "Tiles in the latency run (one worker, one thread).")
    var latencyTiles = 500

    @Option(help: "Comma-separated worker counts for the scaling run.")
    var workers = "1,2,4,8,16,32,64"

    @Option(help: "Simulated render time per tile in the scaling run (ms).")
    var renderMs = 200

    @Option(help: "Tiles per worker in the scaling run.")
    var tilesPerWorker = 4

    @Flag(help: "Print every attempt (worker, start and end relative to submission) after each run.")
    var timeline = false

    @Option(help: "State directory (the job store and tile files; fsync cost depends on the file system).")
    var stateDir = NSTemporaryDirectory() + "tessera-bench-cluster"

    func run() throws {
        try? FileManager.default.removeItem(atPath: stateDir)
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        print("state dir: \(stateDir)")

        let throughput = try measure(
            workers: throughputWorkers, threads: threads, renderer: BlankTileRenderer(), tiles: tiles, label: "tput")
        let messages = Double(throughput.tiles * 3) / throughput.seconds
        print(String(format: "throughput: %d tiles in %.2f s with %d×%d blank renderers = %.0f tiles/s, %.0f tile msgs/s (TILE+RESULT+READY; goal ≥ 5000)",
            throughput.tiles, throughput.seconds, throughputWorkers, threads, Double(throughput.tiles) / throughput.seconds, messages))
        print(String(format: "            all %d tile files durable (fsync'd) after %.2f s",
            throughput.tiles, throughput.durableSeconds))

        let latency = try measure(workers: 1, threads: 1, renderer: BlankTileRenderer(), tiles: latencyTiles, label: "lat")
        print(String(format: "latency: %.3f ms per tile round trip with a blank renderer (one worker, one thread; goal ≤ 2 ms added)",
            latency.seconds * 1000 / Double(latency.tiles)))
        let simulated = 20
        let timed = try measure(
            workers: 1, threads: 1, renderer: DelayedTileRenderer(BlankTileRenderer(), delayMilliseconds: simulated),
            tiles: 100, label: "lat20")
        print(String(format: "latency: %.3f ms added per tile over a %d ms renderer",
            timed.seconds * 1000 / Double(timed.tiles) - Double(simulated), simulated))

        for count in workers.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            let result = try measure(
                workers: count, threads: 1,
                renderer: DelayedTileRenderer(BlankTileRenderer(), delayMilliseconds: renderMs),
                grid: (columns: max(1, tilesPerWorker), rows: count), label: "scale\(count)")
            let ideal = Double((result.tiles + count - 1) / count) * Double(renderMs) / 1000
            print(String(format: "scaling: %2d workers, %4d tiles of %d ms: %.3f s (ideal %.3f s) → efficiency %.1f %%",
                count, result.tiles, renderMs, result.seconds, ideal, 100 * ideal / result.seconds))
        }
    }

    /// Runs one job of about `tiles` tiles on a fresh coordinator and workers; returns the time from submission to
    /// the last result accepted, and to the last tile file made durable (output assembly excluded: it is the imaging
    /// library's cost, not the cluster's).
    private func measure(workers count: Int, threads: Int, renderer: any WorkerTileRenderer, tiles: Int, label: String)
        throws -> (tiles: Int, seconds: Double, durableSeconds: Double)
    {
        let columns = Int(Double(tiles).squareRoot().rounded(.up))
        return try measure(
            workers: count, threads: threads, renderer: renderer, grid: (columns, (tiles + columns - 1) / columns),
            label: label)
    }

    /// As above for a job of exactly `grid.columns × grid.rows` tiles.
    private func measure(
        workers count: Int, threads: Int, renderer: any WorkerTileRenderer, grid: (columns: Int, rows: Int),
        label: String
    ) throws -> (tiles: Int, seconds: Double, durableSeconds: Double) {
        let label = "\(label)-\(UUID().uuidString.prefix(8))"
        var config = CoordinatorConfig()
        config.workerEndpoint = "tcp://127.0.0.1:*"
        config.clientEndpoint = "tcp://127.0.0.1:*"
        config.stateDir = stateDir + "/" + label
        let coordinator = Coordinator(config: config, logger: ClusterLogs.quiet("bench.coordinator"))
        let endpoints = try coordinator.start()
        defer {
            coordinator.requestStop()
            coordinator.waitUntilStopped()
        }
        let pool = (0..<count).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: threads, workerId: "\(label)-\(n)"),
                renderer: renderer, logger: ClusterLogs.quiet("bench.worker"))
        }
        pool.forEach { $0.start() }
        defer {
            pool.forEach { $0.requestStop() }
            pool.forEach { $0.waitUntilStopped(timeoutSeconds: 10) }
        }
        let client = try ClusterClient(endpoint: endpoints.client)
        guard waitUntil(30, { (try? client.workers().count) == count }) else {
            throw ValidationError("only some of the \(count) workers registered")
        }
        // 16-pixel tiles without padding: a grid of columns × rows tiles over a 4× upscale.
        let (columns, rows) = grid
        let source = RGBAImage(width: columns * 4, height: rows * 4, fill: (90, 120, 150, 255))
        let png = stateDir + "/\(label)-source.png"
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        try source.writePNG(to: png, format: .rgb8)
        let spec = UpscaleJobSpec(upscaler: "lanczos", scale: 4, tileWidth: 16, padding: 0)
        let pngData = try Data(contentsOf: URL(fileURLWithPath: png))
        let start = Date()
        let job = try client.submit(png: pngData, spec: spec)
        let total = columns * rows
        guard waitUntil(600, { coordinator.counters.tilesAccepted >= total }) else {
            throw ValidationError("job \(job) did not finish")
        }
        let accepted = Date().timeIntervalSince(start)
        guard waitUntil(600, { coordinator.counters.tilesCompleted >= total }) else {
            throw ValidationError("job \(job) tiles were not all stored")
        }
        let durable = Date().timeIntervalSince(start)
        if timeline {
            coordinator.requestStop()
            coordinator.waitUntilStopped()
            let store = try JobStore(directory: config.stateDir)
            for a in try store.attempts(of: job) {
                print(String(format: "  tile %4d  %@  %7.1f → %7.1f ms  %@", a.index, a.workerId,
                    (a.startedAt - start.timeIntervalSince1970) * 1000,
                    ((a.endedAt ?? 0) - start.timeIntervalSince1970) * 1000, a.outcome ?? "-"))
            }
        }
        return (total, accepted, durable)
    }

    private func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(500)
        }
        return condition()
    }
}
