import ArgumentParser
import TesseraPipelines

/// `tessera txt2img --checkpoint M --prompt "…" [-o OUT.png]`: A1111 txt2img on this machine.
struct Txt2ImgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txt2img", abstract: "Generate an image from a prompt (A1111 txt2img).")

    @OptionGroup var options: GenerationOptions
    @OptionGroup var tiledDiffusion: TiledDiffusionOptions

    func run() throws {
        var (request, recorded) = try options.request(mode: .txt2img)
        try tiledDiffusion.apply(to: &request)
        try options.generate(request, recorded: recorded, label: "txt2img")
    }
}
