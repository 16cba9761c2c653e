import ArgumentParser
import TesseraImaging
import TesseraImageOps
import TesseraPipelines

/// `tessera inpaint --init-image IN.png --mask MASK.png …`: A1111 inpainting (white = repaint).
struct InpaintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inpaint", abstract: "Repaint the white area of a mask (A1111 img2img inpaint).")

    @OptionGroup var initOptions: InitImageOptions
    @Option(help: "Mask PNG, same size as the init image; white = repaint (an RGBA mask uses its alpha). Not needed with --sketch (Inpaint sketch: the strokes are the mask).")
    var mask: String?
    @Option(name: .customLong("mask-blur"), help: "Mask blur (default 4).")
    var maskBlur: Double?
    @Option(name: .customLong("mask-blur-x"), help: "Horizontal mask blur (API mask_blur_x; default: --mask-blur).")
    var maskBlurX: Double?
    @Option(name: .customLong("mask-blur-y"), help: "Vertical mask blur (API mask_blur_y; default: --mask-blur).")
    var maskBlurY: Double?
    @Option(name: .customLong("mask-alpha"), help: "Inpaint sketch: Mask transparency 0…100 (default 0).")
    var maskAlpha: Double?
    @Option(name: .customLong("inpainting-fill"), help: "Masked content: 0 fill, 1 original, 2 latent noise, 3 latent nothing (default 1).")
    var inpaintingFill: Int?
    @Flag(name: .customLong("inpaint-full-res"), help: "Inpaint area: Only masked (render the masked region at full size).")
    var inpaintFullRes = false
    @Option(name: .customLong("inpaint-full-res-padding"), help: "Only masked padding in pixels (default 32).")
    var inpaintFullResPadding: Int?
    @Flag(name: .customLong("inpainting-mask-invert"), help: "Mask mode: Inpaint not masked.")
    var inpaintingMaskInvert = false
    @Option(name: .customLong("inpainting-mask-weight"), help: "Inpainting conditioning mask strength 0…1, for inpainting checkpoints (default 1).")
    var inpaintingMaskWeight: Double?
    @OptionGroup var options: GenerationOptions

    func run() throws {
        let original = try readInputImage(initOptions.initImage, flag: "--init-image")
        let (image, maskImage) = try initAndMask(original)
        var (request, recorded) = try options.request(mode: .inpaint(initImage: image, mask: maskImage))
        try initOptions.apply(to: &request)
        if let maskBlur { request.maskBlur = maskBlur }
        if let maskBlurX { request.maskBlurX = maskBlurX }
        if let maskBlurY { request.maskBlurY = maskBlurY }
        if let inpaintingFill { request.inpaintingFill = try MaskedContent(a1111Value: inpaintingFill) }
        if inpaintFullRes { request.inpaintFullRes = true }
        if let inpaintFullResPadding { request.inpaintFullResPadding = inpaintFullResPadding }
        if inpaintingMaskInvert { request.inpaintingMaskInvert = true }
        if let inpaintingMaskWeight { request.inpaintingMaskWeight = inpaintingMaskWeight }
        try options.generate(request, recorded: recorded, label: "inpaint")
    }

    /// Inpaint upload (`--mask`), or Inpaint sketch (`--sketch`): strokes become the mask and, blurred, part of the
    /// init image (A1111 img2img mode 3).
    private func initAndMask(_ original: RGBAImage) throws -> (RGBAImage, RGBAImage) {
        if initOptions.sketch != nil {
            guard mask == nil else { throw CommandFailure("--mask: give either --mask (Inpaint upload) or --sketch (Inpaint sketch), not both") }
            let canvas = try initOptions.sketchCanvas(over: original)
            let sketch: InpaintSketch
            do {
                sketch = try InpaintSketch(sketch: canvas, original: original.flattened(), maskTransparency: maskAlpha ?? 0,
                                           maskBlur: maskBlur ?? 4)
            } catch { throw CommandFailure("--mask-alpha: \(error)") }
            return (sketch.initImage, sketch.mask.rgba)
        }
        guard let mask else { throw CommandFailure("--mask: missing; give the mask PNG (white = repaint), or --sketch for Inpaint sketch") }
        if maskAlpha != nil { throw CommandFailure("--mask-alpha: only applies to Inpaint sketch (--sketch)") }
        let maskImage = try readInputImage(mask, flag: "--mask")
        guard maskImage.width == original.width, maskImage.height == original.height else {
            throw CommandFailure("--mask \(mask): is \(maskImage.width)x\(maskImage.height) but --init-image \(initOptions.initImage) is \(original.width)x\(original.height); they must be the same size")
        }
        return (original, maskImage)
    }
}
