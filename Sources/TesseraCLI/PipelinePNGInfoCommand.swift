import ArgumentParser
import TesseraPipelines

/// `tessera png-info FILE`: prints the A1111 `parameters` text of a PNG.
struct PNGInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "png-info", abstract: "Print the A1111 generation parameters stored in a PNG.")

    @Argument(help: "PNG file.")
    var file: String

    func run() throws {
        do { print(try GenerationInfotext.readText(fromPNG: file)) } catch { throw CommandFailure("\(error)") }
    }
}
