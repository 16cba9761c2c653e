import TesseraImaging

/// A1111's img2img resize modes (`images.resize_image`), with their API integer values.
public enum ResizeMode: Int, Sendable, CaseIterable, Codable {
    /// Stretch to the target size; the aspect ratio is not kept.
    case justResize = 0
    /// Scale to cover the target, centre, crop what sticks out.
    case cropAndResize = 1
    /// Scale to fit inside the target, centre, fill the bars by stretching the outermost rows/columns.
    case resizeAndFill = 2
    /// Pixels are not resized: the latent is interpolated instead. `resize_image` itself treats
    /// this value like Resize and fill (which is what happens to masks in this mode).
    case latentUpscale = 3

    /// The mode for an A1111 API integer, with an error naming the field for anything else.
    public init(a1111Value: Int) throws {
        guard let mode = ResizeMode(rawValue: a1111Value) else {
            throw ImageOpsError.invalidParameter(
                name: "resize_mode", problem: "\(a1111Value) is not one of 0 (Just resize), 1 (Crop and resize), 2 (Resize and fill), 3 (Just resize (latent upscale))")
        }
        self = mode
    }

    /// The UI label.
    public var label: String {
        switch self {
        case .justResize: return "Just resize"
        case .cropAndResize: return "Crop and resize"
        case .resizeAndFill: return "Resize and fill"
        case .latentUpscale: return "Just resize (latent upscale)"
        }
    }

    /// Where the resized source lands on the `width`×`height` canvas.
    public func plan(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> ResizePlan {
        let ratio = Double(width) / Double(height)
        let sourceRatio = Double(sourceWidth) / Double(sourceHeight)
        switch self {
        case .justResize:
            return ResizePlan(resizedWidth: width, resizedHeight: height, offsetX: 0, offsetY: 0, bars: .none)
        case .cropAndResize:
            let w = ratio > sourceRatio ? width : sourceWidth * height / sourceHeight
            let h = ratio <= sourceRatio ? height : sourceHeight * width / sourceWidth
            return ResizePlan(resizedWidth: w, resizedHeight: h, offsetX: floorHalf(width) - floorHalf(w),
                              offsetY: floorHalf(height) - floorHalf(h), bars: .none)
        case .resizeAndFill, .latentUpscale:
            let w = ratio < sourceRatio ? width : sourceWidth * height / sourceHeight
            let h = ratio >= sourceRatio ? height : sourceHeight * width / sourceWidth
            let offsetX = floorHalf(width) - floorHalf(w), offsetY = floorHalf(height) - floorHalf(h)
            var bars = ResizePlan.Bars.none
            if ratio < sourceRatio, offsetY > 0 { bars = .topAndBottom(size: offsetY) }
            if ratio > sourceRatio, offsetX > 0 { bars = .leftAndRight(size: offsetX) }
            return ResizePlan(resizedWidth: w, resizedHeight: h, offsetX: offsetX, offsetY: offsetY, bars: bars)
        }
    }

    /// A1111's `resize_image(mode, image, width, height)` with Lanczos as the inner resize (Pillow ≤ 12 pass
    /// order, as A1111 pins Pillow 9.5)
    /// (the case without `upscaler_for_img2img`). Modes 1 and 2 return an opaque canvas, black
    /// where nothing was pasted, like A1111's RGB canvas.
    /// `upscaler` stands for A1111's `upscaler_for_img2img`: when given and the image must grow
    /// (`scale = max(w/im.w, h/im.h) > 1`), it is called with that scale and its result is then
    /// Lanczos-resized to the exact size if it differs.
    public func resize(_ image: RGBAImage, width: Int, height: Int,
                       upscaler: (@Sendable (RGBAImage, Double) throws -> RGBAImage)? = nil) throws -> RGBAImage {
        guard width > 0, height > 0 else {
            throw ImageOpsError.invalidParameter(name: "resize target", problem: "\(width)x\(height) must be positive")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "resize source", problem: "the image is empty")
        }
        let plan = plan(sourceWidth: image.width, sourceHeight: image.height, width: width, height: height)
        func inner(_ source: RGBAImage, _ w: Int, _ h: Int) throws -> RGBAImage {
            var source = source
            if let upscaler {
                let scale = max(Double(w) / Double(source.width), Double(h) / Double(source.height))
                if scale > 1 { source = try upscaler(source, scale) }
            }
            if source.width == w && source.height == h { return source }
            return try Resampler.resize(source, width: w, height: h, filter: .lanczos, passOrder: .horizontalFirst)
        }
        if self == .justResize { return try inner(image, width, height) }
        guard plan.resizedWidth > 0, plan.resizedHeight > 0 else {
            throw ImageOpsError.invalidParameter(
                name: "resize target", problem: "\(width)x\(height) squeezes the \(image.width)x\(image.height) image to nothing")
        }
        let resized = try inner(image, plan.resizedWidth, plan.resizedHeight)
        var canvas = RGBAImage(width: width, height: height, fill: (0, 0, 0, 255))
        canvas.paste(PillowPixelMath.opaque(resized), x: plan.offsetX, y: plan.offsetY)
        switch plan.bars {
        case .none:
            break
        case let .topAndBottom(size):
            // Pillow resize of a zero-height box with its default filter (bicubic, A1111 passes none):
            // a mix of the first (last) two rows, stretched.
            let w = Double(resized.width), h = Double(resized.height)
            let top = try Resampler.resize(resized, width: width, height: size, filter: .bicubic,
                                             box: SourceBox(x0: 0, y0: 0, x1: w, y1: 0), passOrder: .horizontalFirst)
            let bottom = try Resampler.resize(resized, width: width, height: size, filter: .bicubic,
                                             box: SourceBox(x0: 0, y0: h, x1: w, y1: h), passOrder: .horizontalFirst)
            canvas.paste(PillowPixelMath.opaque(top), x: 0, y: 0)
            canvas.paste(PillowPixelMath.opaque(bottom), x: 0, y: size + plan.resizedHeight)
        case let .leftAndRight(size):
            let w = Double(resized.width), h = Double(resized.height)
            let left = try Resampler.resize(resized, width: size, height: height, filter: .bicubic,
                                             box: SourceBox(x0: 0, y0: 0, x1: 0, y1: h), passOrder: .horizontalFirst)
            let right = try Resampler.resize(resized, width: size, height: height, filter: .bicubic,
                                             box: SourceBox(x0: w, y0: 0, x1: w, y1: h), passOrder: .horizontalFirst)
            canvas.paste(PillowPixelMath.opaque(left), x: 0, y: 0)
            canvas.paste(PillowPixelMath.opaque(right), x: size + plan.resizedWidth, y: 0)
        }
        return canvas
    }

    /// The same for a mask (A1111 resizes masks as L images; the RGB canvas result is converted back to L).
    public func resize(_ mask: GreyImage, width: Int, height: Int) throws -> GreyImage {
        GreyImage(channel: 0, of: try resize(mask.rgba, width: width, height: height))
    }

    /// Latent size for mode 3: the init latent is interpolated to (⌊W/8⌋, ⌊H/8⌋).
    public static func latentSize(width: Int, height: Int) -> (width: Int, height: Int) { (width / 8, height / 8) }
}

/// Python's `n // 2` for possibly negative n.
private func floorHalf(_ value: Int) -> Int { value >= 0 ? value / 2 : -((-value + 1) / 2) }

/// The geometry of one `resize_image` call.
public struct ResizePlan: Sendable, Equatable {
    /// Size the whole source is resized to before pasting.
    public let resizedWidth: Int
    public let resizedHeight: Int
    /// Top-left corner of the resized image on the canvas (negative: cropped on that side).
    public let offsetX: Int
    public let offsetY: Int
    /// The stretched-edge bars of Resize and fill.
    public let bars: Bars

    public init(resizedWidth: Int, resizedHeight: Int, offsetX: Int, offsetY: Int, bars: Bars) {
        self.resizedWidth = resizedWidth
        self.resizedHeight = resizedHeight
        self.offsetX = offsetX
        self.offsetY = offsetY
        self.bars = bars
    }

    public enum Bars: Sendable, Equatable {
        case none
        /// Bars of `size` rows above and below (the bottom one clipped by the canvas).
        case topAndBottom(size: Int)
        /// Bars of `size` columns left and right.
        case leftAndRight(size: Int)
    }
}
