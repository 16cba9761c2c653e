import ArgumentParser
import TesseraImageOps
import TesseraPipelines

/// `tessera inpaint --init-image IN.png --mask MASK.png …`: A1111 inpainting (white = repaint).
struct InpaintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inpaint", abstract: "Repaint the white area of a mask (A1111 img2img inpaint).")

    @OptionGroup var initOptions: InitImageOptions
    @Option(help: "Mask PNG, same size as the init image; white = repaint (an RGBA mask uses its alpha).")
    var mask: String
    @Option(name: .customLong("mask-blur"), help: "Mask blur (default 4).")
    var maskBlur: Double?
    @Option(name: .customLong("inpainting-fill"), help: "Masked content: 0 fill, 1 original, 2 latent noise, 3 latent nothing (default 1).")
    var inpaintingFill: Int?
    @Flag(name: .customLong("inpaint-full-res"), help: "Inpaint area: Only masked (render the masked region at full size).")
    var inpaintFullRes = false
    @Option(name: .customLong("inpaint-full-res-padding"), help: "Only masked padding in pixels (default 32).")
    var inpaintFullResPadding: Int?
    @Flag(name: .customLong("inpainting-mask-invert"), help: "Mask mode: Inpaint not masked.")
    var inpaintingMaskInvert = false
    @OptionGroup var options: GenerationOptions

    func run() throws {
        let image = try readInputImage(initOptions.initImage, flag: "--init-image")
        let maskImage = try readInputImage(mask, flag: "--mask")
        guard maskImage.width == image.width, maskImage.height == image.height else {
            throw CommandFailure("--mask \(mask): is \(maskImage.width)x\(maskImage.height) but --init-image \(initOptions.initImage) is \(image.width)x\(image.height); they must be the same size")
        }
        var (request, recorded) = try options.request(mode: .inpaint(initImage: image, mask: maskImage))
        try initOptions.apply(to: &request)
        if let maskBlur { request.maskBlur = maskBlur }
        if let inpaintingFill { request.inpaintingFill = try MaskedContent(a1111Value: inpaintingFill) }
        if inpaintFullRes { request.inpaintFullRes = true }
        if let inpaintFullResPadding { request.inpaintFullResPadding = inpaintFullResPadding }
        if inpaintingMaskInvert { request.inpaintingMaskInvert = true }
        try options.generate(request, recorded: recorded, label: "inpaint")
    }
}
