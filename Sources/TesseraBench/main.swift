import ArgumentParser

/// `tessera-bench`: speed and memory figures, printed, never asserted (DEVELOPERS.md: speed goals
/// live in benchmarks, not in timed unit tests).
struct TesseraBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera-bench",
        abstract: "Prints Tessera's speed and memory figures.",
        subcommands: [ImagingBench.self, CoreBench.self, ClusterBench.self, TiledVAEBench.self, PipelineBench.self, UpscaleBench.self]
    )
}

TesseraBench.main()
