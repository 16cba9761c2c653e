/// Draws a `TilePlan` as a picture, for documentation and debugging: every tile gets a
/// colour, pixels are tinted by the tiles' normalised blend weights (so overlaps show as
/// gradients), core borders are drawn dark, and one tile's context and blend region are outlined.
public enum TilePlanDiagram {
    /// - Parameters:
    ///   - background: optional image of the target size shown under the tint (e.g. the upscale).
    ///   - highlightedTile: index of the tile whose context (white) and blend region (yellow) are outlined.
    public static func render(_ plan: TilePlan, background: RGBAImage? = nil, highlightedTile: Int? = nil) throws -> RGBAImage {
        if let background, background.width != plan.targetWidth || background.height != plan.targetHeight {
            throw ImagingError.invalidArgument(argument: "diagram background", problem: "size differs from the plan's target")
        }
        let palette: [(Double, Double, Double)] = [
            (230, 80, 70), (70, 150, 230), (90, 200, 110), (240, 190, 60), (170, 100, 220), (60, 200, 200),
        ]
        var image = RGBAImage(width: plan.targetWidth, height: plan.targetHeight)
        for y in 0..<plan.targetHeight {
            for x in 0..<plan.targetWidth {
                var red = 0.0, green = 0.0, blue = 0.0, total = 0.0
                for tile in plan.tiles where tile.blendRegion.contains(x: x, y: y) {
                    let weight = Double(tile.weight(x: x, y: y))
                    let colour = palette[(tile.row * 2 + tile.column * 3) % palette.count]
                    red += weight * colour.0
                    green += weight * colour.1
                    blue += weight * colour.2
                    total += weight
                }
                var pixel = (red / total, green / total, blue / total)
                if let background {
                    let under = background.pixel(x: x, y: y)
                    pixel = (0.45 * pixel.0 + 0.55 * Double(under.r), 0.45 * pixel.1 + 0.55 * Double(under.g),
                             0.45 * pixel.2 + 0.55 * Double(under.b))
                }
                image.setPixel(x: x, y: y, (UInt8(pixel.0.rounded()), UInt8(pixel.1.rounded()), UInt8(pixel.2.rounded()), 255))
            }
        }
        for tile in plan.tiles {
            outline(&image, tile.core, colour: (20, 20, 20, 255))
        }
        if let highlightedTile, plan.tiles.indices.contains(highlightedTile) {
            let tile = plan.tiles[highlightedTile]
            outline(&image, tile.context, colour: (255, 255, 255, 255), thickness: 3)
            outline(&image, tile.blendRegion, colour: (255, 230, 0, 255), thickness: 2)
        }
        return image
    }

    private static func outline(_ image: inout RGBAImage, _ rect: PixelRect, colour: (UInt8, UInt8, UInt8, UInt8), thickness: Int = 1) {
        for inset in 0..<thickness {
            let x0 = rect.x + inset, y0 = rect.y + inset, x1 = rect.maxX - 1 - inset, y1 = rect.maxY - 1 - inset
            guard x0 <= x1, y0 <= y1 else { return }
            for x in x0...x1 {
                image.setPixel(x: x, y: y0, colour)
                image.setPixel(x: x, y: y1, colour)
            }
            for y in y0...y1 {
                image.setPixel(x: x0, y: y, colour)
                image.setPixel(x: x1, y: y, colour)
            }
        }
    }
}
