import TesseraImaging

/// One causal job of a USDU-style upscale: an A1111 "inpaint only masked" pass over the current image whose mask is a
/// `stamp` (white rectangle or gradient) pasted on black at `stampRect` (spec §6.3, §6.4).
///
/// All rectangles are in output pixels. The unit's result depends only on the image inside `cropBox` and changes only
/// `changedRegion` (where the blurred mask is non-zero), which is what the dependency graph is built from.
public struct CausalUnit: Sendable, Equatable {
    /// Which pass and grid position this unit redraws.
    public enum Kind: Sendable, Equatable {
        /// USDU redraw of tile (row, column).
        case redraw(row: Int, column: Int)
        /// Band pass on the vertical seam left of tile column `column`.
        case bandVertical(column: Int)
        /// Band pass on the horizontal seam above tile row `row`.
        case bandHorizontal(row: Int)
        /// Half tile offset pass centred on the horizontal seam below tile row `row`, over tile column `column`.
        case halfTileRow(row: Int, column: Int)
        /// Half tile offset pass centred on the vertical seam right of tile column `column`, over tile row `row`.
        case halfTileColumn(row: Int, column: Int)
        /// Intersection pass centred on the grid corner below-right of tile (row, column).
        case intersection(row: Int, column: Int)

        /// The pass's name in messages.
        public var passName: String {
            switch self {
            case .redraw: return "USDU redraw"
            case .bandVertical, .bandHorizontal: return "band pass (seams_fix_width + 2 × seams_fix_padding, or the image side)"
            case .halfTileRow, .halfTileColumn: return "half tile pass"
            case .intersection: return "intersection pass"
            }
        }

        /// True for the seams fix passes (they use `seams_fix_denoise`).
        public var isSeamsFix: Bool {
            if case .redraw = self { return false }
            return true
        }
    }

    /// The tile index of this unit in the job (its TILE id on the wire).
    public let index: Int
    public let kind: Kind
    /// Index into `CausalPlan.stamps`.
    public let stamp: Int
    /// Where the stamp is pasted (may reach outside the image; it is clipped like Pillow's `paste`).
    public let stampRect: PixelRect
    /// A1111 render size (`p.width`, `p.height`) before the pipeline's snap to multiples of 8.
    public let renderWidth: Int
    public let renderHeight: Int
    /// "Only masked" padding.
    public let padding: Int
    /// Mask blur σ.
    public let maskBlur: Int
    /// A1111's crop box (bounding box of the blurred mask, plus padding, fitted to the render aspect).
    public let cropBox: PixelRect
    /// The canvas excerpt the unit is rendered from: the crop box and everything the mask blur reads, so the A1111
    /// job on this excerpt equals the job on the whole image.
    public let window: PixelRect
    /// The pixels the unit can change: the bounding box of its blurred mask.
    public let changedRegion: PixelRect
    /// Earlier tile indices whose output this unit reads (their changed region meets its crop box), ascending.
    public let dependencies: [Int]
}
