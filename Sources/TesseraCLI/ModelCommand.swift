import ArgumentParser
import TesseraCheckpoint

/// `tessera model …`: questions about model files, answered without loading the weights.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect model files (checkpoints, ControlNets, LoRAs, VAEs, ESRGAN).",
        subcommands: [ModelInfoCommand.self])
}

/// `tessera model info FILE|FOLDER`: what a file is, its layout, dtypes, size and A1111 hashes.
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print what a model file or diffusers folder is: kind, layout, dtypes, parameters, A1111 hashes.")

    @Argument(help: "A .safetensors / .ckpt / .pth file, or a diffusers folder.")
    var path: String

    @Flag(name: .long, help: "Skip the SHA-256 hashes (they read the whole file).")
    var noHashes = false

    func run() throws {
        print(try ModelInfo.inspect(path: path, computeHashes: !noHashes).description)
    }
}
