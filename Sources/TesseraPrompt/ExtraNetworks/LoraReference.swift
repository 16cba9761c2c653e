import Foundation

/// A LoRA (or LyCORIS) requested by `<lora:name:te:unet:dyn>` / `<lora:name:te=…:unet=…:dyn=…>`,
/// read as A1111's built-in Lora extension reads it.
public struct LoraReference: Sendable, Equatable {
    /// The name as written (file name without extension, or an alias).
    public var name: String
    /// Multiplier for text-encoder modules: 2nd positional or `te=`, default 1.0.
    public var textEncoderMultiplier: Double
    /// Multiplier for UNet modules: 3rd positional or `unet=`, default = the text-encoder one.
    public var unetMultiplier: Double
    /// Rank cut-off for plain LoRA: 4th positional or `dyn=`, default none.
    public var dynamicDimension: Int?

    public init(name: String, textEncoderMultiplier: Double = 1, unetMultiplier: Double? = nil, dynamicDimension: Int? = nil) {
        self.name = name
        self.textEncoderMultiplier = textEncoderMultiplier
        self.unetMultiplier = unetMultiplier ?? textEncoderMultiplier
        self.dynamicDimension = dynamicDimension
    }

    /// Tag kinds that name a LoRA (`lyco` is A1111's alias of `lora`).
    public static let tagKinds: Set<String> = ["lora", "lyco"]

    /// Reads one `lora`/`lyco` tag.
    public init(tag: ExtraNetworkTag) throws {
        guard let name = tag.positional.first, !name.isEmpty else {
            throw ExtraNetworkError.missingName(tag: tag.text)
        }
        func number(_ text: String, _ field: String) throws -> Double {
            guard let value = PromptText.decimalNumber(text), value.isFinite else {
                throw ExtraNetworkError.invalidNumber(tag: tag.text, field: field, value: text)
            }
            return value
        }
        var te = tag.positional.count > 1 ? try number(tag.positional[1], "te multiplier") : 1.0
        if let named = tag.named["te"] { te = try number(named, "te") }
        var unet = tag.positional.count > 2 ? try number(tag.positional[2], "unet multiplier") : te
        if let named = tag.named["unet"] { unet = try number(named, "unet") }
        var dyn: Int? = nil
        if tag.positional.count > 3 {
            guard let value = Int(tag.positional[3].trimmingPythonWhitespace()) else {
                throw ExtraNetworkError.invalidNumber(tag: tag.text, field: "dyn", value: tag.positional[3])
            }
            dyn = value
        }
        if let named = tag.named["dyn"] {
            guard let value = Int(named.trimmingPythonWhitespace()) else {
                throw ExtraNetworkError.invalidNumber(tag: tag.text, field: "dyn", value: named)
            }
            dyn = value
        }
        self.init(name: name, textEncoderMultiplier: te, unetMultiplier: unet, dynamicDimension: dyn)
    }

    /// The LoRAs among `tags`, in A1111's activation order: tags are grouped by kind in order of
    /// each kind's first appearance (so `<lyco:a> <lora:b> <lyco:c>` gives a, c, b).
    public static func references(in tags: [ExtraNetworkTag]) throws -> [LoraReference] {
        var kindsInOrder: [String] = []
        for tag in tags where tagKinds.contains(tag.kind) && !kindsInOrder.contains(tag.kind) {
            kindsInOrder.append(tag.kind)
        }
        return try kindsInOrder.flatMap { kind in
            try tags.filter { $0.kind == kind }.map(LoraReference.init(tag:))
        }
    }
}

/// A LoRA tag A1111 would fail to activate.
public enum ExtraNetworkError: Error, Equatable, CustomStringConvertible {
    case missingName(tag: String)
    case invalidNumber(tag: String, field: String, value: String)

    public var description: String {
        switch self {
        case let .missingName(tag):
            return "prompt: \(tag) names no network; write <lora:name:multiplier>"
        case let .invalidNumber(tag, field, value):
            return "prompt: \(tag) has \(field) '\(value)', which is not a number"
        }
    }
}

extension ExtraNetworkError: LocalizedError {
    public var errorDescription: String? { description }
}
