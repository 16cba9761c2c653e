import TesseraImageOps
import TesseraImaging
import TesseraPipelines

/// One ControlNet unit of a generation job, with the extension's API field names. Its control image is `image` when
/// the unit has one, else the job's init image (the extension's behaviour in img2img), run through `module`.
public struct GenerationControlNetSettings: Codable, Sendable, Equatable {
    /// A path, or a name looked up in the worker's ControlNet folder.
    public var model: String
    /// Preprocessor: none, tile_resample, tile_colorfix, tile_colorfix+sharp, canny, scribble_xdog, invert.
    public var module: String
    public var weight: Double
    public var guidanceStart: Double
    public var guidanceEnd: Double
    /// "Balanced", "My prompt is more important", "ControlNet is more important" (or 0/1/2).
    public var controlMode: String
    /// "Just Resize", "Crop and Resize" (default), "Resize and Fill" (or 0/1/2).
    public var resizeMode: String
    public var processorRes: Int
    public var thresholdA: Double
    public var thresholdB: Double
    public var pixelPerfect: Bool
    /// The unit's own control image: in a job file its path (relative to the file); in a submitted job the name
    /// it was given by, while the pixels travel as the SUBMIT's `hint` payloads, one per unit with an image, in
    /// unit order.
    public var image: String?

    public init(
        model: String, module: String = "none", weight: Double = 1, guidanceStart: Double = 0, guidanceEnd: Double = 1,
        controlMode: String = ControlMode.balanced.rawValue, resizeMode: String = ControlResizeMode.cropAndResize.rawValue,
        processorRes: Int = -1, thresholdA: Double = -1, thresholdB: Double = -1, pixelPerfect: Bool = false,
        image: String? = nil
    ) {
        self.model = model
        self.module = module
        self.weight = weight
        self.guidanceStart = guidanceStart
        self.guidanceEnd = guidanceEnd
        self.controlMode = controlMode
        self.resizeMode = resizeMode
        self.processorRes = processorRes
        self.thresholdA = thresholdA
        self.thresholdB = thresholdB
        self.pixelPerfect = pixelPerfect
        self.image = image
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, module, weight
        case guidanceStart = "guidance_start"
        case guidanceEnd = "guidance_end"
        case controlMode = "control_mode"
        case resizeMode = "resize_mode"
        case processorRes = "processor_res"
        case thresholdA = "threshold_a"
        case thresholdB = "threshold_b"
        case pixelPerfect = "pixel_perfect"
        case image
    }

    public init(from decoder: Decoder) throws {
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue), table: "generation.controlnet")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(model: try c.decode(String.self, forKey: .model))
        func number(_ key: CodingKeys, _ fallback: Double) throws -> Double {
            try DiffusionUpscaleSettings.decodeNumber(c, key) ?? fallback
        }
        // The API sends modes as strings or ints; both arrive here as text.
        func label(_ key: CodingKeys, _ fallback: String) throws -> String {
            if let n = try? c.decodeIfPresent(Int.self, forKey: key) { return String(n) }
            return try c.decodeIfPresent(String.self, forKey: key) ?? fallback
        }
        module = try c.decodeIfPresent(String.self, forKey: .module) ?? module
        weight = try number(.weight, weight)
        guidanceStart = try number(.guidanceStart, guidanceStart)
        guidanceEnd = try number(.guidanceEnd, guidanceEnd)
        controlMode = try label(.controlMode, controlMode)
        resizeMode = try label(.resizeMode, resizeMode)
        processorRes = try c.decodeIfPresent(Int.self, forKey: .processorRes) ?? processorRes
        thresholdA = try number(.thresholdA, thresholdA)
        thresholdB = try number(.thresholdB, thresholdB)
        pixelPerfect = try c.decodeIfPresent(Bool.self, forKey: .pixelPerfect) ?? pixelPerfect
        image = try c.decodeIfPresent(String.self, forKey: .image)
    }

    /// The pipeline's unit, with `model` resolved to `modelPath` on the worker and `hint` the unit's own control
    /// image (nil: the init image).
    public func unit(modelPath: String, hint: RGBAImage? = nil) throws -> ControlNetUnit {
        var unit = try ControlNetUnit(
            model: modelPath, module: module, weight: Float(weight), guidanceStart: Float(guidanceStart),
            guidanceEnd: Float(guidanceEnd), controlMode: ControlMode(parsing: controlMode),
            resizeMode: ControlResizeMode(apiValue: resizeMode), processorResolution: processorRes,
            thresholdA: thresholdA, thresholdB: thresholdB, imagePath: nil, pixelPerfect: pixelPerfect)
        unit.image = hint
        return unit
    }
}
