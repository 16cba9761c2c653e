import Foundation
import TesseraCheckpoint

/// A diffusers / transformers `config.json`, read only for the fields a model cannot infer
/// from tensor shapes (attention head counts, activation names).
public struct ConfigFile: Sendable {
    /// The file, for error messages.
    public let path: String
    let values: [String: ConfigValue]

    /// Reads `path`; a missing or malformed file is an error naming it.
    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(path, "cannot read the config file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw ModelError(path, "config is not a JSON object")
        }
        var values: [String: ConfigValue] = [:]
        for (k, v) in dict {
            if let n = v as? NSNumber { values[k] = .number(n.doubleValue) }
            else if let s = v as? String { values[k] = .string(s) }
            else if let a = v as? [Any] { values[k] = .list(a.compactMap { ($0 as? NSNumber)?.doubleValue }) }
        }
        self.values = values
    }

    /// A config from already-parsed values (tests, case files).
    public init(values: [String: Any], path: String) {
        self.path = path
        var converted: [String: ConfigValue] = [:]
        for (k, v) in values {
            if let n = v as? NSNumber { converted[k] = .number(n.doubleValue) }
            else if let s = v as? String { converted[k] = .string(s) }
            else if let a = v as? [Any] { converted[k] = .list(a.compactMap { ($0 as? NSNumber)?.doubleValue }) }
        }
        self.values = converted
    }

    enum ConfigValue: Sendable { case number(Double), string(String), list([Double]) }

    /// Integer field `key`, nil when absent or null; an error when present with another type.
    public func int(_ key: String) throws -> Int? {
        switch values[key] {
        case nil: return nil
        case .number(let d): return Int(d)
        default: throw ModelError(path, "field '\(key)' is not a number")
        }
    }

    /// Integer list field `key`; a single number is returned as a one-element list.
    public func ints(_ key: String) throws -> [Int]? {
        switch values[key] {
        case nil: return nil
        case .number(let d): return [Int(d)]
        case .list(let l): return l.map { Int($0) }
        case .string: throw ModelError(path, "field '\(key)' is not a number or list")
        }
    }

    /// String field `key`.
    public func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil: return nil
        case .string(let s): return s
        default: throw ModelError(path, "field '\(key)' is not a string")
        }
    }
}

/// A weight source that can tell a tensor's shape without converting its data.
public protocol ShapeProviding {
    /// Shape of `name`, nil if absent.
    func shape(_ name: String) -> [Int]?
}

extension SafeTensorsFile: ShapeProviding {
    /// Shape from the safetensors header.
    public func shape(_ name: String) -> [Int]? { entries[name]?.shape }
}

extension MappedWeightSource: ShapeProviding {}

/// Shape of a tensor without converting its data when the source can tell it.
func shape(of name: String, in source: any WeightSource) throws -> [Int]? {
    if let shapes = source as? ShapeProviding { return shapes.shape(name) }
    guard source.contains(name) else { return nil }
    return try source.tensor(name).shape
}

/// Shape of a tensor that must exist.
func requiredShape(of name: String, in source: any WeightSource, rank: Int) throws -> [Int] {
    guard let s = try shape(of: name, in: source) else {
        throw ModelError(source.path, "missing tensor '\(name)' needed to infer the model configuration")
    }
    guard s.count == rank else {
        throw ModelError(source.path, "tensor '\(name)' has shape \(s), expected rank \(rank)")
    }
    return s
}
