import Foundation

/// Ultimate SD Upscale's seams fix passes, run after the redraw (`seams_fix_type`, spec §6.4).
public enum SeamsFixType: String, Codable, Sendable, CaseIterable {
    case none
    /// A band of `seams_fix_width` pixels centred on every tile boundary, with a mirrored linear gradient mask.
    case bandPass = "band_pass"
    /// Tile-sized jobs centred on every boundary (half a tile offset) with a linear gradient mask.
    case halfTile = "half_tile"
    /// The half-tile pass, then a radial-gradient job on every interior grid intersection.
    case halfTileIntersections = "half_tile_intersections"

    /// USDU's numeric value (0 None, 1 Band pass, 2 Half tile offset pass, 3 … + intersections).
    public var usduIndex: Int { Self.allCases.firstIndex(of: self)! }

    /// The command-line spelling (`none`, `band-pass`, `half-tile`, `half-tile+intersections`).
    public var flagName: String {
        switch self {
        case .none: return "none"
        case .bandPass: return "band-pass"
        case .halfTile: return "half-tile"
        case .halfTileIntersections: return "half-tile+intersections"
        }
    }

    /// USDU's UI label, used in the PNG infotext.
    public var label: String {
        switch self {
        case .none: return "None"
        case .bandPass: return "Band pass"
        case .halfTile: return "Half tile offset pass"
        case .halfTileIntersections: return "Half tile offset pass + intersections"
        }
    }

    /// Accepts the job-file name, the command-line name, USDU's label or its number 0…3; the error names `field`.
    public init(parsing text: String, field: String = "seams_fix_type") throws {
        let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        if let number = Int(lowered), Self.allCases.indices.contains(number) {
            self = Self.allCases[number]
            return
        }
        guard let match = Self.allCases.first(where: {
            [$0.rawValue, $0.flagName, $0.label.lowercased()].contains(lowered)
        }) else {
            throw ClusterError.invalidParameter(
                field: field,
                reason: "must be one of \(Self.allCases.map(\.flagName).joined(separator: ", ")) (or USDU's 0…3), got \"\(text)\"")
        }
        self = match
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            try self.init(parsing: "\(number)")
        } else {
            try self.init(parsing: try container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
