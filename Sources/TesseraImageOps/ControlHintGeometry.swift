import TesseraImaging

/// ControlNet's hint resize modes (`detectmap_proc`) with the API's spellings.
public enum ControlResizeMode: String, Sendable, CaseIterable, Codable {
    case justResize = "Just Resize"
    case cropAndResize = "Crop and Resize"
    case resizeAndFill = "Resize and Fill"

    /// Accepts the labels, their legacy aliases and the integers 0…3 (3 = Just Resize).
    public init(apiValue: String) throws {
        switch apiValue {
        case "Just Resize", "0", "3": self = .justResize
        case "Crop and Resize", "Inner Fit (Scale to Fit)", "1": self = .cropAndResize
        case "Resize and Fill", "Outer Fit (Shrink to Fit)", "Envelope (Outer Fit)", "2": self = .resizeAndFill
        default:
            throw ImageOpsError.invalidParameter(
                name: "resize_mode", problem: "\"\(apiValue)\" is not one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The ControlNet mode standing in for an A1111 img2img resize mode (when the unit uses the init image).
    public init(a1111: ResizeMode) {
        switch a1111 {
        case .justResize, .latentUpscale: self = .justResize
        case .cropAndResize: self = .cropAndResize
        case .resizeAndFill: self = .resizeAndFill
        }
    }
}

/// The hint's size and placement rules of the ControlNet extension.
public enum ControlHintGeometry {
    /// Target hint size: `(⌊width/8⌋·8, ⌊height/8⌋·8)`.
    public static func targetSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width / 8 * 8, height / 8 * 8)
    }

    /// Pixel Perfect: `round(k · min(rawH, rawW))` with k the min (Resize and Fill) or max (otherwise)
    /// of the two axis scales to the target (numpy rounding, half to even).
    public static func pixelPerfectResolution(imageWidth: Int, imageHeight: Int, targetWidth: Int, targetHeight: Int,
                                              mode: ControlResizeMode) -> Int {
        let k0 = Double(targetHeight) / Double(imageHeight)
        let k1 = Double(targetWidth) / Double(imageWidth)
        let k = mode == .resizeAndFill ? min(k0, k1) : max(k0, k1)
        return Int((k * Double(min(imageWidth, imageHeight))).rounded(.toNearestOrEven))
    }

    /// `detectmap_proc`: the preprocessor map fitted to `width`×`height` (already multiples of 8).
    public static func fit(_ map: RGBAImage, width: Int, height: Int, mode: ControlResizeMode) throws -> RGBAImage {
        guard width > 0, height > 0 else {
            throw ImageOpsError.invalidParameter(name: "hint size", problem: "\(width)x\(height) must be positive")
        }
        guard map.width > 0, map.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "control map", problem: "the map is empty")
        }
        if mode == .justResize { return try ControlMapResize.resize(map, width: width, height: height) }
        let oldW = Double(map.width), oldH = Double(map.height)
        let k0 = Double(height) / oldH, k1 = Double(width) / oldW
        let k = mode == .resizeAndFill ? min(k0, k1) : max(k0, k1)
        let newW = max(1, Int((oldW * k).rounded(.toNearestOrEven))), newH = max(1, Int((oldH * k).rounded(.toNearestOrEven)))
        let resized = try ControlMapResize.resize(map, width: newW, height: newH)
        if mode == .cropAndResize {
            let padW = max(0, (newW - width) / 2), padH = max(0, (newH - height) / 2)
            let rect = PixelRect(x: padW, y: padH, width: min(width, newW - padW), height: min(height, newH - padH))
            return try resized.cropped(to: rect)
        }
        let border = borderMedian(map)
        var canvas = RGBAImage(width: width, height: height, fill: (border.0, border.1, border.2, 255))
        canvas.paste(resized, x: max(0, (width - newW) / 2), y: max(0, (height - newH) / 2))
        return canvas
    }

    /// The hint as the ControlNet model receives it: `map / 255`, laid out 3×H×W (channel planes R, G, B).
    public static func hintValues(_ map: RGBAImage) -> [Float] {
        let plane = map.width * map.height
        var values = [Float](repeating: 0, count: 3 * plane)
        for pixel in 0..<plane {
            for channel in 0..<3 { values[channel * plane + pixel] = Float(map.pixels[pixel * 4 + channel]) / 255 }
        }
        return values
    }

    /// numpy median per channel of the first/last rows and columns (corners counted twice), truncated to uint8.
    static func borderMedian(_ map: RGBAImage) -> (UInt8, UInt8, UInt8) {
        var samples: [[Int]] = [[], [], []]
        func add(_ x: Int, _ y: Int) {
            for channel in 0..<3 { samples[channel].append(Int(map.pixels[(y * map.width + x) * 4 + channel])) }
        }
        for x in 0..<map.width { add(x, 0) }
        for x in 0..<map.width { add(x, map.height - 1) }
        for y in 0..<map.height { add(0, y) }
        for y in 0..<map.height { add(map.width - 1, y) }
        let medians = samples.map { values -> UInt8 in
            let sorted = values.sorted()
            let middle = sorted.count / 2
            let median = sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
            return UInt8(median)
        }
        return (medians[0], medians[1], medians[2])
    }
}
