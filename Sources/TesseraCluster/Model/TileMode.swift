/// How the tiles of a diffusion upscale see each other (`tile_mode` in job files, `--tile-mode` on the command line).
public enum TileMode: String, Codable, Sendable, CaseIterable {
    /// Tessera's default: every tile reads the pre-upscaled source, all tiles render in parallel, and the feather
    /// blender cross-fades the overlaps.
    case feather
    /// Ultimate SD Upscale's causal redraw: each tile is an A1111 "inpaint only masked" job on the current image,
    /// which already holds the earlier tiles (spec §6.3), in `redraw_mode` order.
    case usdu

    /// Parses a job-file or command-line value; the error names the field.
    public init(parsing text: String, field: String = "tile_mode") throws {
        guard let mode = TileMode(rawValue: text.lowercased()) else {
            throw ClusterError.invalidParameter(
                field: field, reason: "must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
        }
        self = mode
    }
}
