import Foundation
import TesseraPipelines

/// A model a job needs on the worker that renders its tiles, as the job names it.
///
/// The coordinator only dispatches a job's tiles to workers whose advertised models satisfy every requirement
/// (`ModelInventory`), so a worker that lacks a model never receives such tiles.
public struct ModelRequirement: Hashable, Sendable, CustomStringConvertible {
    public var kind: ModelLibrary.Kind
    /// As the job gives it: a path, a file stem, or an A1111 title `name [hash]`.
    public var reference: String

    public init(kind: ModelLibrary.Kind, reference: String) {
        self.kind = kind
        self.reference = reference.trimmingCharacters(in: .whitespaces)
    }

    /// The A1111 model name: the stem of a path, or the title without its hash.
    public var name: String {
        if reference.contains("/") { return ModelLibrary.modelName(ofFile: reference) }
        if let bracket = reference.range(of: " ["), reference.hasSuffix("]") {
            return String(reference[..<bracket.lowerBound])
        }
        return reference
    }

    /// The short hash of an A1111 title (`name [6ce0161689]`), if any.
    public var hash: String? {
        guard let bracket = reference.range(of: " ["), reference.hasSuffix("]") else { return nil }
        let inside = reference[bracket.upperBound..<reference.index(before: reference.endIndex)]
        return inside.isEmpty ? nil : inside.lowercased()
    }

    public var description: String { "\(kind.wireName) \"\(reference)\"" }
}

extension ModelLibrary.Kind {
    /// The kind's spelling in HELLO model names (`docs/protocol.md` §6.1) and in messages.
    public var wireName: String {
        switch self {
        case .checkpoint: return "checkpoint"
        case .lora: return "lora"
        case .controlNet: return "controlnet"
        case .upscaler: return "upscaler"
        case .vae: return "vae"
        }
    }

    public init?(wireName: String) {
        guard let kind = Self.allCases.first(where: { $0.wireName == wireName }) else { return nil }
        self = kind
    }
}
