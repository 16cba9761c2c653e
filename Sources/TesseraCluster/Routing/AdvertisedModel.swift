import TesseraPipelines
import TesseraWire

/// A model a worker offers, as it names it in HELLO: `<kind>:<name>` plus the A1111 short hash when known.
public struct AdvertisedModel: Hashable, Sendable {
    public var kind: ModelLibrary.Kind
    public var name: String
    /// A1111 short hash (AutoV2, 10 hex digits) when the worker computed it; empty otherwise.
    public var hash: String

    public init(kind: ModelLibrary.Kind, name: String, hash: String = "") {
        self.kind = kind
        self.name = name
        self.hash = hash.lowercased()
    }

    /// Reads a HELLO model entry. A name without a known kind prefix is a checkpoint (what workers that predate kinds
    /// advertised).
    public init(wire: ModelInfo) {
        if let colon = wire.name.firstIndex(of: ":"), let kind = ModelLibrary.Kind(wireName: String(wire.name[..<colon])) {
            self.init(kind: kind, name: String(wire.name[wire.name.index(after: colon)...]), hash: wire.hash)
        } else {
            self.init(kind: .checkpoint, name: wire.name, hash: wire.hash)
        }
    }

    public var wire: ModelInfo { ModelInfo(name: "\(kind.wireName):\(name)", hash: hash) }

    /// True when this model is the one `requirement` names: the same kind, and the same hash (when both are known)
    /// or the same name. Upscaler names compare without case, as upscaler jobs carry lower-cased names.
    public func satisfies(_ requirement: ModelRequirement) -> Bool {
        guard kind == requirement.kind else { return false }
        if let wanted = requirement.hash, !hash.isEmpty, hash.hasPrefix(wanted) || wanted.hasPrefix(hash) { return true }
        if kind == .upscaler { return name.lowercased() == requirement.name.lowercased() }
        return name == requirement.name
    }
}
