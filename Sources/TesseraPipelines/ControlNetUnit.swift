import Foundation
import TesseraImageOps
import TesseraImaging
import TesseraModels

/// sd-webui-controlnet's "Control Mode".
public enum ControlMode: String, Sendable, CaseIterable, Codable {
    case balanced = "Balanced"
    case promptMoreImportant = "My prompt is more important"
    case controlNetMoreImportant = "ControlNet is more important"

    /// Accepts the UI labels, the API ints 0/1/2 and short forms (`balanced`, `prompt`, `controlnet`).
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "0", "balanced": self = .balanced
        case "1", "prompt", "my prompt is more important": self = .promptMoreImportant
        case "2", "controlnet", "controlnet is more important": self = .controlNetMoreImportant
        default:
            throw PipelineError("control-mode", "unknown '\(text)'; known: \(Self.allCases.map(\.rawValue).joined(separator: ", ")) (or 0/1/2)")
        }
    }

    /// Soft injection (`0.825^(12−i)` per residual) is on for both non-balanced modes.
    public var usesSoftInjection: Bool { self != .balanced }
    /// CFG injection: only the cond rows get residuals.
    public var conditionRowsOnly: Bool { self == .controlNetMoreImportant }
}

/// One ControlNet unit as the extension's API describes it (field names in comments).
public struct ControlNetUnit: Sendable, Equatable {
    /// `model`: a name looked up in the ControlNet folder, or a path.
    public var model: String
    /// `module`: the preprocessor name ("none", "canny", …).
    public var module: String
    /// `weight`.
    public var weight: Float
    /// `guidance_start`, `guidance_end`: fractions of sampling progress.
    public var guidanceStart: Float
    public var guidanceEnd: Float
    /// `control_mode`.
    public var controlMode: ControlMode
    /// `resize_mode`.
    public var resizeMode: ControlResizeMode
    /// `processor_res`, `threshold_a`, `threshold_b` (−1 = the preprocessor's default).
    public var processorResolution: Int
    public var thresholdA: Double
    public var thresholdB: Double
    /// `image`: path of the control image; nil = the img2img init image.
    public var imagePath: String?
    /// The control image itself (e.g. sent to a worker with the job); used instead of
    /// `imagePath` when set.
    public var image: RGBAImage? = nil
    /// `pixel_perfect`: the preprocessor resolution follows the render size (§5.2 of the spec)
    /// instead of `processor_res`.
    public var pixelPerfect: Bool = false

    public init(model: String, module: String = "none", weight: Float = 1, guidanceStart: Float = 0, guidanceEnd: Float = 1,
                controlMode: ControlMode = .balanced, resizeMode: ControlResizeMode = .cropAndResize,
                processorResolution: Int = -1, thresholdA: Double = -1, thresholdB: Double = -1, imagePath: String? = nil,
                pixelPerfect: Bool = false) {
        self.model = model
        self.module = module
        self.weight = weight
        self.guidanceStart = guidanceStart
        self.guidanceEnd = guidanceEnd
        self.controlMode = controlMode
        self.resizeMode = resizeMode
        self.processorResolution = processorResolution
        self.thresholdA = thresholdA
        self.thresholdB = thresholdB
        self.imagePath = imagePath
        self.pixelPerfect = pixelPerfect
    }

    /// Parses the CLI form `model=NAME,module=canny,weight=0.8,guidance-start=0,guidance-end=1,
    /// control-mode=Balanced,image=PATH,resize-mode=…,processor-res=512,threshold-a=…,threshold-b=…,
    /// pixel-perfect=true`.
    public init(cliSpec: String) throws {
        var values: [String: String] = [:]
        for item in cliSpec.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw PipelineError("--controlnet", "'\(item)' is not key=value (in '\(cliSpec)')")
            }
            values[parts[0].lowercased().replacingOccurrences(of: "_", with: "-")] = parts[1]
        }
        let known: Set<String> = ["model", "module", "weight", "guidance-start", "guidance-end", "control-mode", "image",
                                  "resize-mode", "processor-res", "threshold-a", "threshold-b", "pixel-perfect"]
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw PipelineError("--controlnet", "unknown key '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
        }
        guard let model = values["model"], !model.isEmpty else { throw PipelineError("--controlnet", "needs model=NAME (in '\(cliSpec)')") }
        func number(_ key: String, _ fallback: Double) throws -> Double {
            guard let raw = values[key] else { return fallback }
            guard let v = Double(raw) else { throw PipelineError("--controlnet \(key)", "'\(raw)' is not a number") }
            return v
        }
        self.init(model: model, module: values["module"] ?? "none", weight: Float(try number("weight", 1)),
                  guidanceStart: Float(try number("guidance-start", 0)), guidanceEnd: Float(try number("guidance-end", 1)),
                  controlMode: try values["control-mode"].map(ControlMode.init(parsing:)) ?? .balanced,
                  resizeMode: try values["resize-mode"].map(ControlResizeMode.init(apiValue:)) ?? .cropAndResize,
                  processorResolution: Int(try number("processor-res", -1)),
                  thresholdA: try number("threshold-a", -1), thresholdB: try number("threshold-b", -1),
                  imagePath: values["image"],
                  pixelPerfect: try values["pixel-perfect"].map { try Self.boolean($0, field: "--controlnet pixel-perfect") } ?? false)
        try validate()
    }

    /// Checks the ranges the extension's UI enforces.
    public func validate() throws {
        guard weight >= 0, weight <= 2 else { throw PipelineError("ControlNet weight", "must be in 0...2, got \(weight)") }
        guard guidanceStart >= 0, guidanceEnd <= 1, guidanceStart <= guidanceEnd else {
            throw PipelineError("ControlNet guidance", "need 0 ≤ guidance start (\(guidanceStart)) ≤ guidance end (\(guidanceEnd)) ≤ 1")
        }
    }

    /// Whether the unit acts on a model call at sampling progress `fraction`
    /// (`sampling_step / total_sampling_steps`): skipped when below start or above end.
    public func isActive(atProgress fraction: Float) -> Bool {
        !(fraction < guidanceStart || fraction > guidanceEnd)
    }

    /// The extension's infotext value for this unit (`ControlNet i`). A model given as a path is
    /// recorded by its name (file stem), as A1111 names models, so the text does not depend on
    /// where the machine that rendered it keeps its files.
    public var infotextValue: String {
        let model = self.model.contains("/") ? ModelLibrary.modelName(ofFile: self.model) : self.model
        // The extension cannot split a value holding its separators back out, so it writes such
        // a unit as an empty string.
        if [module, model].contains(where: { $0.contains(",") || $0.contains(":") }) { return "" }
        // Swift's shortest round-trip spelling matches Python's str() for these floats ("1.0", "0.8").
        return "Module: \(module), Model: \(model), Weight: \(weight), Resize Mode: \(resizeMode.rawValue), "
            + "Processor Res: \(processorResolution), Threshold A: \(thresholdA), Threshold B: \(thresholdB), "
            + "Guidance Start: \(guidanceStart), Guidance End: \(guidanceEnd), "
            + "Pixel Perfect: \(pixelPerfect ? "True" : "False"), Control Mode: \(controlMode.rawValue)"
    }

    static func boolean(_ text: String, field: String) throws -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw PipelineError(field, "'\(text)' is not true or false")
        }
    }
}
