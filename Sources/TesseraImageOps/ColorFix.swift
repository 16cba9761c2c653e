import TesseraImaging

/// StableSR's colour-fix choices ("Color Fix": None / Wavelet / AdaIN), applicable per tile.
public enum ColorFix: String, Sendable, CaseIterable, Codable {
    case none = "None"
    case wavelet = "Wavelet"
    case adain = "AdaIN"

    public init(name: String) throws {
        guard let value = ColorFix(rawValue: name) else {
            throw ImageOpsError.invalidParameter(
                name: "color fix", problem: "\"\(name)\" is not one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = value
    }

    /// Fixes `target` against `reference` (same size).
    public func apply(target: RGBAImage, reference: RGBAImage) throws -> RGBAImage {
        switch self {
        case .none:
            try ImageOpsError.requireSameSize("colour fix reference", reference.width, reference.height, as: target.width, target.height)
            return target
        case .wavelet: return try WaveletColorFix.apply(target: target, reference: reference)
        case .adain:
            try ImageOpsError.requireSameSize("colour fix reference", reference.width, reference.height, as: target.width, target.height)
            return try AdaINColorFix.apply(target: target, reference: reference)
        }
    }

    /// Fixes one tile in place: the `tile` rectangle of `image` against the same rectangle of `reference`.
    public func apply(toTile tile: PixelRect, of image: inout RGBAImage, reference: RGBAImage) throws {
        try ImageOpsError.requireSameSize("colour fix reference", reference.width, reference.height, as: image.width, image.height)
        guard image.bounds.contains(tile), !tile.isEmpty else {
            throw ImageOpsError.invalidParameter(name: "colour fix tile", problem: "\(tile) is outside the \(image.width)x\(image.height) image")
        }
        let fixed = try apply(target: try image.cropped(to: tile), reference: try reference.cropped(to: tile))
        image.paste(fixed, x: tile.x, y: tile.y)
    }
}
