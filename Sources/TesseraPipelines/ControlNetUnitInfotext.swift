import TesseraImageOps

extension ControlNetUnit {
    /// The unit index of an infotext key `ControlNet i`, or nil for other keys.
    public static func infotextIndex(key: String) -> Int? {
        guard key.hasPrefix("ControlNet "), let index = Int(key.dropFirst("ControlNet ".count)), index >= 0 else { return nil }
        return index
    }

    /// Re-reads a unit from the extension's infotext value (`Module: canny, Model: …, Weight: 1.0,
    /// …`; spec §5.8): split on `,`, then on `: `. Returns nil for the empty value the extension
    /// writes for a unit it could not serialise. Fields it did not write keep their defaults;
    /// `key` names the field in errors. Older enum spellings (`ResizeMode.INNER_FIT`,
    /// `ControlMode.BALANCED`) are accepted.
    public init?(infotextValue value: String, key: String = "ControlNet") throws {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        var fields: [String: String] = [:]
        for item in value.split(separator: ",") {
            guard let colon = item.range(of: ":") else {
                throw PipelineError(key, "'\(item.trimmingCharacters(in: .whitespaces))' is not 'Name: value'")
            }
            let name = item[..<colon.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
            fields[name] = item[colon.upperBound...].trimmingCharacters(in: .whitespaces)
        }
        guard let model = fields["model"], !model.isEmpty, model != "None" else {
            throw PipelineError(key, "names no model (\(value))")
        }
        func number(_ name: String, _ fallback: Double) throws -> Double {
            guard let raw = fields[name] else { return fallback }
            guard let v = Double(raw) else { throw PipelineError("\(key) \(name)", "'\(raw)' is not a number") }
            return v
        }
        self.init(model: model, module: fields["module"] ?? "none", weight: Float(try number("weight", 1)),
                  guidanceStart: Float(try number("guidance start", 0)), guidanceEnd: Float(try number("guidance end", 1)),
                  controlMode: try fields["control mode"].map(Self.controlMode(legacy:)) ?? .balanced,
                  resizeMode: try fields["resize mode"].map(Self.resizeMode(legacy:)) ?? .cropAndResize,
                  processorResolution: Int(try number("processor res", -1)),
                  thresholdA: try number("threshold a", -1), thresholdB: try number("threshold b", -1),
                  pixelPerfect: try fields["pixel perfect"].map { try Self.boolean($0, field: "\(key) Pixel Perfect") } ?? false)
        do { try validate() } catch let error as PipelineError { throw PipelineError(key, error.description) }
    }

    private static func controlMode(legacy text: String) throws -> ControlMode {
        switch text {
        case "ControlMode.BALANCED": return .balanced
        case "ControlMode.PROMPT": return .promptMoreImportant
        case "ControlMode.CONTROL": return .controlNetMoreImportant
        default: return try ControlMode(parsing: text)
        }
    }

    private static func resizeMode(legacy text: String) throws -> ControlResizeMode {
        switch text {
        case "ResizeMode.RESIZE": return .justResize
        case "ResizeMode.INNER_FIT": return .cropAndResize
        case "ResizeMode.OUTER_FIT": return .resizeAndFill
        default: return try ControlResizeMode(apiValue: text)
        }
    }
}
