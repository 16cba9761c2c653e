import TesseraImaging

/// The ControlNet preprocessors Tessera runs natively, with the extension's sliders
/// (`processor_res`, `threshold_a`, `threshold_b`) resolved to their meanings.
public enum ControlNetPreprocessor: Sendable, Equatable {
    /// "none": the image as is.
    case none
    /// "invert": 255 − image.
    case invert
    /// "tile_resample": INTER_AREA downscale by the rate (1…8; below 1.1 the image is unchanged).
    case tileResample(downSamplingRate: Double)
    /// "tile_colorfix": identity here; `variation` (3…32) is used in the UNet post-process.
    case tileColorfix(variation: Int)
    /// "tile_colorfix+sharp": identity here; `variation` and `sharpness` (0…2) act in the UNet post-process.
    case tileColorfixSharp(variation: Int, sharpness: Double)
    /// "canny": `cv2.Canny` at the preprocessor resolution.
    case canny(lowThreshold: Double, highThreshold: Double, resolution: Int)
    /// "scribble_xdog": XDoG scribble at the preprocessor resolution.
    case scribbleXDoG(threshold: Double, resolution: Int)
    /// "blur_gaussian": OpenCV Gaussian blur (σ 0.01…64, default 9) at the preprocessor resolution.
    case blurGaussian(sigma: Double, resolution: Int)

    /// Module names accepted by `init(name:…)`.
    public static let knownNames = ["none", "invert", "tile_resample", "tile_colorfix", "tile_colorfix+sharp", "canny", "scribble_xdog", "blur_gaussian"]

    /// The extension's default `processor_res`.
    public static let defaultResolution = 512

    /// Builds a preprocessor from the API unit fields. −1 (or any out-of-range slider value)
    /// means the preprocessor's default, as in the extension. Unknown names list the known ones.
    public init(name: String, resolution: Int = -1, thresholdA: Double = -1, thresholdB: Double = -1) throws {
        func slider(_ value: Double, _ range: ClosedRange<Double>, _ fallback: Double) -> Double {
            range.contains(value) ? value : fallback
        }
        let resolution = (64...2048).contains(resolution) ? resolution : Self.defaultResolution
        switch name {
        case "none": self = .none
        case "invert": self = .invert
        case "tile_resample": self = .tileResample(downSamplingRate: slider(thresholdA, 1...8, 1))
        case "tile_colorfix": self = .tileColorfix(variation: Int(slider(thresholdA, 3...32, 8)))
        case "tile_colorfix+sharp":
            self = .tileColorfixSharp(variation: Int(slider(thresholdA, 3...32, 8)), sharpness: slider(thresholdB, 0...2, 1))
        case "canny":
            self = .canny(lowThreshold: slider(thresholdA, 1...255, 100), highThreshold: slider(thresholdB, 1...255, 200),
                          resolution: resolution)
        case "scribble_xdog": self = .scribbleXDoG(threshold: slider(thresholdA, 1...64, 32), resolution: resolution)
        case "blur_gaussian": self = .blurGaussian(sigma: slider(thresholdA, 0.01...64, 9), resolution: resolution)
        default: throw ImageOpsError.unknownPreprocessor(name: name, known: Self.knownNames)
        }
    }

    /// The extension's module name.
    public var name: String {
        switch self {
        case .none: return "none"
        case .invert: return "invert"
        case .tileResample: return "tile_resample"
        case .tileColorfix: return "tile_colorfix"
        case .tileColorfixSharp: return "tile_colorfix+sharp"
        case .canny: return "canny"
        case .scribbleXDoG: return "scribble_xdog"
        case .blurGaussian: return "blur_gaussian"
        }
    }

    /// The same preprocessor at another `processor_res` (what Pixel Perfect does); preprocessors
    /// without a resolution are returned unchanged.
    public func withResolution(_ resolution: Int) -> ControlNetPreprocessor {
        switch self {
        case let .canny(low, high, _): return .canny(lowThreshold: low, highThreshold: high, resolution: resolution)
        case let .scribbleXDoG(threshold, _): return .scribbleXDoG(threshold: threshold, resolution: resolution)
        case let .blurGaussian(sigma, _): return .blurGaussian(sigma: sigma, resolution: resolution)
        case .none, .invert, .tileResample, .tileColorfix, .tileColorfixSharp: return self
        }
    }

    /// Runs the preprocessor on an RGB image and returns the (opaque RGB) control map; its size
    /// is the input's for all but tile_resample (the map is fitted to the hint size afterwards).
    public func apply(_ image: RGBAImage) throws -> RGBAImage {
        guard image.width > 0, image.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "control image", problem: "the image is empty")
        }
        let rgb = Self.hwc3(image)
        switch self {
        case .none, .tileColorfix, .tileColorfixSharp:
            return rgb
        case .invert:
            var out = rgb
            for index in 0..<out.pixels.count where index % 4 != 3 { out.pixels[index] = 255 - out.pixels[index] }
            return out
        case let .tileResample(rate):
            if rate < 1.1 { return rgb }
            let width = Int(Double(rgb.width) / rate), height = Int(Double(rgb.height) / rate)
            guard width > 0, height > 0 else {
                throw ImageOpsError.invalidParameter(
                    name: "down sampling rate", problem: "\(rate) shrinks the \(rgb.width)x\(rgb.height) image to nothing")
            }
            return try OpenCVResize.resize(rgb, width: width, height: height, interpolation: .area)
        case let .canny(low, high, resolution):
            let detector = try CannyEdgeDetector(lowThreshold: low, highThreshold: high)
            return try PaddedProcessing.run(rgb, resolution: resolution) { detector.apply($0).rgba }
        case let .scribbleXDoG(threshold, resolution):
            let xdog = try XDoG(threshold: threshold)
            return try PaddedProcessing.run(rgb, resolution: resolution) { xdog.apply($0).rgba }
        case let .blurGaussian(sigma, resolution):
            // The extension removes the padding before blurring.
            let blur = try OpenCVGaussianBlur8Bit(sigma: sigma)
            return blur.apply(try PaddedProcessing.run(rgb, resolution: resolution) { $0 })
        }
    }
}

extension ControlNetPreprocessor {
    /// The extension's `HWC3`: RGBA is composited onto white in float (`c·a + 255·(1 − a)`, truncated).
    static func hwc3(_ image: RGBAImage) -> RGBAImage {
        if image.isOpaque { return image }
        var out = image
        for index in stride(from: 0, to: out.pixels.count, by: 4) {
            let alpha = Double(image.pixels[index + 3]) / 255
            for channel in 0..<3 {
                let value = Double(image.pixels[index + channel]) * alpha + 255 * (1 - alpha)
                out.pixels[index + channel] = UInt8(max(0, min(255, value)))
            }
            out.pixels[index + 3] = 255
        }
        return out
    }
}

/// The extension's `resize_image_with_pad`: scale so the short side equals the resolution
/// (INTER_CUBIC up, INTER_AREA down), edge-pad right and bottom to multiples of 64, run, crop the pad off.
enum PaddedProcessing {
    static func run(_ image: RGBAImage, resolution: Int, _ body: (RGBAImage) throws -> RGBAImage) throws -> RGBAImage {
        let k = Double(resolution) / Double(min(image.width, image.height))
        let width = Int((Double(image.width) * k).rounded(.toNearestOrEven))
        let height = Int((Double(image.height) * k).rounded(.toNearestOrEven))
        let resized = try OpenCVResize.resize(image, width: width, height: height, interpolation: k > 1 ? .cubic : .area)
        let paddedWidth = (width + 63) / 64 * 64, paddedHeight = (height + 63) / 64 * 64
        var padded = RGBAImage(width: paddedWidth, height: paddedHeight)
        for y in 0..<paddedHeight {
            let sy = min(y, height - 1)
            for x in 0..<paddedWidth {
                let sx = min(x, width - 1)
                for channel in 0..<4 { padded.pixels[(y * paddedWidth + x) * 4 + channel] = resized.pixels[(sy * width + sx) * 4 + channel] }
            }
        }
        return try body(padded).cropped(to: PixelRect(x: 0, y: 0, width: width, height: height))
    }
}
