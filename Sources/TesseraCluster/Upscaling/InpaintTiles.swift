import TesseraImageOps
import TesseraImaging

/// Huge-image inpainting on the feathered plan: only the tiles whose context meets the blurred mask are redrawn; the
/// others are the pre-upscaled source. A redrawn tile composites its render under the blurred mask (A1111's overlay,
/// spec §3.6), so wherever the blurred mask is 0 every tile covering a pixel agrees on the source value and the
/// feathered blend leaves it exactly unchanged.
public enum InpaintTiles {
    /// How far the mask blur reaches (half its kernel).
    public static func blurReach(_ maskBlur: Int) -> Int {
        maskBlur > 0 ? MaskBlur.kernelSize(for: Double(maskBlur)) / 2 : 0
    }

    /// The part of the mask a tile needs: its context grown by the blur's reach, so blurring this excerpt gives the
    /// whole-image blurred mask everywhere inside the context.
    public static func maskWindow(of tile: PlannedTile, plan: TilePlan, maskBlur: Int) -> PixelRect {
        plan.targetBounds.intersection(tile.context.grown(by: blurReach(maskBlur)))
    }

    /// The blurred mask inside `tile.context`, from the excerpt over `maskWindow`.
    public static func blurredContextMask(_ excerpt: GreyImage, tile: PlannedTile, plan: TilePlan, maskBlur: Int) throws -> GreyImage {
        let window = maskWindow(of: tile, plan: plan, maskBlur: maskBlur)
        guard excerpt.width == window.width, excerpt.height == window.height else {
            throw ClusterError.invalidParameter(
                field: "mask", reason: "excerpt of tile \(tile.index) is \(excerpt.width)×\(excerpt.height), expected \(window)")
        }
        let blurred = try MaskBlur(Double(maskBlur)).apply(excerpt)
        return try blurred.cropped(to: PixelRect(
            x: tile.context.x - window.x, y: tile.context.y - window.y, width: tile.context.width,
            height: tile.context.height))
    }

    /// The tiles to redraw: those whose context holds a non-zero pixel of the blurred mask, in plan order.
    public static func affected(plan: TilePlan, mask: GreyImage, maskBlur: Int) throws -> [Int] {
        guard mask.width == plan.targetWidth, mask.height == plan.targetHeight else {
            throw ClusterError.invalidParameter(
                field: "mask", reason: "is \(mask.width)×\(mask.height) but the output is \(plan.targetWidth)×\(plan.targetHeight); give the mask at the output size")
        }
        return try plan.tiles.filter { tile in
            let window = maskWindow(of: tile, plan: plan, maskBlur: maskBlur)
            let excerpt = try mask.cropped(to: window)
            // Most tiles of a huge image see no mask at all; skip the blur for them.
            guard excerpt.pixels.contains(where: { $0 != 0 }) else { return false }
            return try blurredContextMask(excerpt, tile: tile, plan: plan, maskBlur: maskBlur).pixels.contains { $0 != 0 }
        }.map(\.index)
    }

    /// An inpaint mask file as A1111 reads it (alpha when the image has transparency, else luminance).
    public static func mask(from image: RGBAImage) -> GreyImage { InpaintMask(image: image).mask }
}

/// Renders an inpaint job's tiles: redrawn tiles through `redrawn`, all others as the classical pre-upscale.
struct InpaintTileRenderer: TileRenderer {
    let affected: Set<Int>
    let preUpscale: ResamplingTileRenderer
    let redrawn: any TileRenderer

    func render(_ tile: PlannedTile, of plan: TilePlan) throws -> RGBAImage {
        affected.contains(tile.index) ? try redrawn.render(tile, of: plan) : try preUpscale.render(tile, of: plan)
    }
}
