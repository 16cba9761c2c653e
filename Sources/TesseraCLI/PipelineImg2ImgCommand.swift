import ArgumentParser
import TesseraImageOps
import TesseraPipelines

/// Options of img2img and inpaint that shape the init image.
struct InitImageOptions: ParsableArguments {
    @Option(name: .customLong("init-image"), help: "Init image (PNG).")
    var initImage: String
    @Option(name: .customLong("denoising-strength"), help: "Denoising strength 0…1 (default 0.75).")
    var denoisingStrength: Double?
    @Option(name: .customLong("resize-mode"), help: "0 Just resize, 1 Crop and resize, 2 Resize and fill, 3 Just resize (latent upscale) (default 0).")
    var resizeMode: Int?
    @Flag(name: .customLong("color-correction"), help: "A1111's img2img colour correction: match the result's colours to the init image.")
    var colorCorrection = false

    func apply(to request: inout GenerationRequest) throws {
        if let denoisingStrength { request.denoisingStrength = denoisingStrength }
        if let resizeMode { request.resizeMode = try ResizeMode(a1111Value: resizeMode) }
        if colorCorrection { request.colorCorrection = true }
    }
}

/// `tessera img2img --init-image IN.png --denoising-strength 0.6 …`: A1111 img2img.
struct Img2ImgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "img2img", abstract: "Redraw an image guided by a prompt (A1111 img2img).")

    @OptionGroup var initOptions: InitImageOptions
    @OptionGroup var options: GenerationOptions
    @OptionGroup var tiledDiffusion: TiledDiffusionOptions

    func run() throws {
        let image = try readInputImage(initOptions.initImage, flag: "--init-image")
        var (request, recorded) = try options.request(mode: .img2img(initImage: image))
        try initOptions.apply(to: &request)
        try tiledDiffusion.apply(to: &request)
        try options.generate(request, recorded: recorded, label: "img2img")
    }
}
