import ArgumentParser
import Foundation
import TesseraCluster

/// `tessera submit JOB.toml` or `tessera submit IN.png --scale 2 …`: queues a job and prints its id (a generation
/// file with `batch_size · n_iter` > 1: one job per image, one id per line).
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job (a TOML job file, or a PNG plus flags) and print its id.",
        discussion: """
            The source PNG travels to the coordinator inside the SUBMIT message (chunked uploads above 32 MiB), so \
            the coordinator needs no access to the client's files. Flags override the job file's values.
            """)

    @Argument(help: "A job file (.toml: an upscale, or a [generation] txt2img/img2img/inpaint job) or the PNG to upscale.")
    var source: String

    @OptionGroup var job: JobOptions
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @OptionGroup var tiledDiffusion: TiledDiffusionOptions

    func run() throws {
        var input: String?
        var specs: [UpscaleJobSpec]
        var maskPath: String? = nil
        var hintPaths: [String] = []
        if source.lowercased().hasSuffix(".toml") {
            var file = try JobFile.load(path: source)
            input = file.input
            maskPath = file.mask
            hintPaths = file.hintPaths
            if let generation = file.generation {
                guard !tiledDiffusion.isGiven else {
                    throw CommandFailure("--tiled-diffusion is an upscale setting and does not apply to a [generation] job file")
                }
                file.generation = try job.generationSettings(over: generation)
                if let priority = job.priority { file.spec.priority = priority }
                specs = try file.jobs()
                do { try specs.forEach { try $0.validate() } } catch { throw CommandFailure("\(source): \(error)") }
            } else {
                specs = try [tiledDiffusion.apply(to: try job.spec(over: file.spec))]
            }
        } else {
            input = source
            specs = [try tiledDiffusion.apply(to: try job.spec(over: UpscaleJobSpec()))]
        }
        let png = try input.map { path -> Data in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("\(path): cannot read the input image")
            }
            return data
        }
        let mask = try job.maskData(orFrom: maskPath)
        let hints = try hintPaths.map { path -> Data in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("\(path): cannot read the ControlNet image")
            }
            return data
        }
        let client = try endpoint.client()
        // One id per line: a generation file's batch is one job per image.
        for spec in specs {
            print(try client.submit(
                png: png, spec: spec, sourceName: input.map { URL(fileURLWithPath: $0).lastPathComponent }, mask: mask,
                hints: hints))
        }
    }
}
