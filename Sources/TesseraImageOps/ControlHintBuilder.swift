import TesseraImaging

/// One ControlNet unit's image path from control image to the hint the model receives:
/// Pixel Perfect resolution, preprocessor, `detectmap_proc` fit to the latent-aligned size.
public struct ControlHintBuilder: Sendable, Equatable {
    public let preprocessor: ControlNetPreprocessor
    public let resizeMode: ControlResizeMode
    public let pixelPerfect: Bool

    public init(preprocessor: ControlNetPreprocessor, resizeMode: ControlResizeMode = .cropAndResize, pixelPerfect: Bool = false) {
        self.preprocessor = preprocessor
        self.resizeMode = resizeMode
        self.pixelPerfect = pixelPerfect
    }

    /// The control map at `(⌊width/8⌋·8) × (⌊height/8⌋·8)` for a render of `width`×`height`.
    /// `image` is the (already A1111-cropped, when that applies) control image.
    public func map(for image: RGBAImage, width: Int, height: Int) throws -> RGBAImage {
        let target = ControlHintGeometry.targetSize(width: width, height: height)
        guard target.width > 0, target.height > 0 else {
            throw ImageOpsError.invalidParameter(name: "width/height", problem: "\(width)x\(height) is smaller than one latent pixel")
        }
        var processor = preprocessor
        if pixelPerfect {
            processor = processor.withResolution(ControlHintGeometry.pixelPerfectResolution(
                imageWidth: image.width, imageHeight: image.height,
                targetWidth: target.width, targetHeight: target.height, mode: resizeMode))
        }
        let detected = try processor.apply(image)
        return try ControlHintGeometry.fit(detected, width: target.width, height: target.height, mode: resizeMode)
    }

    /// The hint values (3×H×W in [0, 1]) with their size.
    public func hint(for image: RGBAImage, width: Int, height: Int) throws -> (values: [Float], width: Int, height: Int) {
        let map = try map(for: image, width: width, height: height)
        return (ControlHintGeometry.hintValues(map), map.width, map.height)
    }
}
