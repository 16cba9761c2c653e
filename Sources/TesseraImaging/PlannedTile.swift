/// One tile of a `TilePlan`. All rectangles are in output (target) pixels unless named `source…`.
///
/// ```
///  context ┌───────────────────────────┐   what the renderer renders (fixed size when it fits)
///          │ blendRegion ┌─────────┐   │   what the tile contributes, with feathered weights
///          │             │  core   │   │   the pixels it owns: cores partition the output
///          │             └─────────┘   │
///          └───────────────────────────┘
/// ```
public struct PlannedTile: Sendable, Hashable, Codable {
    /// Position in processing order (0-based), i.e. in `TilePlan.tiles`.
    public let index: Int
    public let row: Int
    public let column: Int
    /// The output pixels this tile owns. Cores of all tiles partition the output exactly.
    public let core: PixelRect
    /// The output pixels the tile contributes to: its core widened by half the feather
    /// width on every side that has a neighbour. Neighbours overlap by the full feather width.
    public let blendRegion: PixelRect
    /// The output pixels the renderer produces for this tile: the blend region plus at
    /// least `padding` pixels of context on every side that is not an image edge.
    public let context: PixelRect
    /// The exact source-image area that `context` maps to (continuous coordinates).
    public let sourceBox: SourceBox
    /// Whole source pixels covering `sourceBox` (rounded outwards, clamped to the source).
    public let sourceContext: PixelRect
    /// Blend weights of the columns of `blendRegion`, left to right, in units of `TilePlan.weightOne`.
    public let columnWeights: [Int32]
    /// Blend weights of the rows of `blendRegion`, top to bottom, in units of `TilePlan.weightOne`.
    public let rowWeights: [Int32]

    /// The blend weight of output pixel (x, y), `0...TilePlan.weightOne²`; 0 outside the blend region.
    public func weight(x: Int, y: Int) -> Int64 {
        guard blendRegion.contains(x: x, y: y) else { return 0 }
        return Int64(columnWeights[x - blendRegion.x]) * Int64(rowWeights[y - blendRegion.y])
    }
}
