import TesseraPipelines
import TesseraWire

/// Every model one worker advertised at registration, indexed for the scheduler's per-dispatch checks.
public struct ModelInventory: Sendable, Equatable {
    public private(set) var models: [AdvertisedModel]
    private var byName: [String: [AdvertisedModel]]

    public init(_ models: [AdvertisedModel] = []) {
        self.models = models
        byName = Dictionary(grouping: models, by: { Self.key($0.kind, $0.name) })
    }

    public init(wire: [ModelInfo]) { self.init(wire.map(AdvertisedModel.init(wire:))) }

    private static func key(_ kind: ModelLibrary.Kind, _ name: String) -> String {
        kind.wireName + ":" + name.lowercased()
    }

    public func has(_ requirement: ModelRequirement) -> Bool {
        if byName[Self.key(requirement.kind, requirement.name)]?.contains(where: { $0.satisfies(requirement) }) == true {
            return true
        }
        // A title's hash may name a file the worker keeps under another name.
        guard requirement.hash != nil else { return false }
        return models.contains { $0.satisfies(requirement) }
    }

    /// The requirements this worker cannot meet, in the order given.
    public func missing(_ requirements: [ModelRequirement]) -> [ModelRequirement] {
        requirements.filter { !has($0) }
    }

    /// Names of the models of `kind` (for messages and the `tile` ControlNet shorthand).
    public func names(of kind: ModelLibrary.Kind) -> [String] {
        models.filter { $0.kind == kind }.map(\.name)
    }
}
