import ArgumentParser
import Foundation
import TesseraCluster

/// `tessera submit JOB.toml` or `tessera submit IN.png --scale 2 …`: queues a job and prints its id.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job (a TOML job file, or a PNG plus flags) and print its id.",
        discussion: """
            The source PNG travels to the coordinator inside the SUBMIT message (chunked uploads above 32 MiB), so \
            the coordinator needs no access to the client's files. Flags override the job file's values.
            """)

    @Argument(help: "A job file (.toml) or the PNG to upscale.")
    var source: String

    @OptionGroup var job: JobOptions
    @OptionGroup var endpoint: CoordinatorEndpointOption
    @OptionGroup var tiledDiffusion: TiledDiffusionOptions

    func run() throws {
        let input: String
        let base: UpscaleJobSpec
        var maskPath: String? = nil
        if source.lowercased().hasSuffix(".toml") {
            let file = try JobFile.load(path: source)
            input = file.input
            base = file.spec
            maskPath = file.mask
        } else {
            input = source
            base = UpscaleJobSpec()
        }
        let spec = try tiledDiffusion.apply(to: try job.spec(over: base))
        guard let png = FileManager.default.contents(atPath: input) else {
            throw CommandFailure("\(input): cannot read the input image")
        }
        let id = try endpoint.client().submit(
            png: png, spec: spec, sourceName: URL(fileURLWithPath: input).lastPathComponent,
            mask: try job.maskData(orFrom: maskPath))
        print(id)
    }
}
