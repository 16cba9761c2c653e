import ArgumentParser
import Foundation

/// The `tessera` command. Each subcommand lives in its own file; to add one, write a `ParsableCommand` and list it
/// in `subcommands` below.
struct Tessera: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Tiled image upscaling on one machine or a cluster of workers.",
        subcommands: [
            UpscaleCommand.self, CoordinatorCommand.self, WorkerCommand.self, SubmitCommand.self, StatusCommand.self,
            WatchCommand.self, CancelCommand.self, FetchCommand.self, WorkersCommand.self, ModelCommand.self,
            Txt2ImgCommand.self, Img2ImgCommand.self, InpaintCommand.self, PNGInfoCommand.self,
        ])
}

/// Entry point: parses, runs, and turns any error into ONE line on standard error and a non-zero exit status.
@main
enum TesseraMain {
    static func main() {
        do {
            var command = try Tessera.parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = Tessera.exitCode(for: error)
            if code == .success {
                // --help, --version: ArgumentParser's normal output.
                Tessera.exit(withError: error)
            }
            let message = Tessera.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("tessera: error: \(message)\n".utf8))
            Foundation.exit(code == .validationFailure ? 64 : 1)
        }
    }
}
