import ArgumentParser
import TesseraImaging
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
    @Flag(name: .customLong("img2img-fix-steps"), help: "A1111 setting img2img_fix_steps: run all --steps (on a longer schedule) instead of denoising strength × steps.")
    var fixSteps = false
    @Option(name: .customLong("initial-noise-multiplier"), help: "Noise multiplier for img2img, 0…1.5 (default 1).")
    var initialNoiseMultiplier: Float?
    @Option(name: .customLong("img2img-extra-noise"), help: "Extra noise multiplier for img2img, 0…1 (default 0).")
    var extraNoise: Float?
    @Option(help: "Sketch: a PNG of the init image's size with colour strokes; a layer with transparency is drawn over the init image, an opaque one is the whole canvas (A1111 Sketch; with inpaint: Inpaint sketch).")
    var sketch: String?

    func apply(to request: inout GenerationRequest) throws {
        if let denoisingStrength { request.denoisingStrength = denoisingStrength }
        if let resizeMode { request.resizeMode = try ResizeMode(a1111Value: resizeMode) }
        if colorCorrection { request.colorCorrection = true }
        if fixSteps { request.fixSteps = true }
        if let initialNoiseMultiplier { request.initialNoiseMultiplier = initialNoiseMultiplier }
        if let extraNoise { request.extraNoise = extraNoise }
    }

    /// The init image, with `--sketch` strokes drawn on it (A1111 "Sketch": the canvas is the init image).
    func sketchedInitImage() throws -> RGBAImage {
        let image = try readInputImage(initImage, flag: "--init-image")
        guard sketch != nil else { return image }
        return try sketchCanvas(over: image)
    }

    /// `--sketch` laid over `image`; errors name the flag and file.
    func sketchCanvas(over image: RGBAImage) throws -> RGBAImage {
        guard let sketch else { return image }
        let strokes = try readInputImage(sketch, flag: "--sketch")
        do { return try SketchCanvas.canvas(strokes: strokes, over: image) } catch {
            throw CommandFailure("--sketch \(sketch): is \(strokes.width)x\(strokes.height) but --init-image \(initImage) is \(image.width)x\(image.height); they must be the same size")
        }
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
        var (request, recorded) = try options.request(mode: .img2img(initImage: try initOptions.sketchedInitImage()))
        try initOptions.apply(to: &request)
        try tiledDiffusion.apply(to: &request)
        try options.generate(request, recorded: recorded, label: "img2img")
    }
}
