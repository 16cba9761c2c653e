/// The order in which tiles are processed (Ultimate SD Upscale's "Type" setting).
public enum TileOrder: String, Sendable, Hashable, Codable, CaseIterable {
    /// Row by row, left to right.
    case linear
    /// Checkerboard: every tile with even `row + column` (row by row), then the odd ones.
    case chess
}
