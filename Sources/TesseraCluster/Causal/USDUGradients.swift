import TesseraImageOps
import TesseraImaging

/// The gradient masks Ultimate SD Upscale pastes for its seams fix passes (spec §6.4), built exactly as USDU builds
/// them with Pillow: `Image.linear_gradient("L")`, `Image.radial_gradient("L")`, 90° rotations and bicubic resizes.
public enum USDUGradients {
    /// Pillow's `linear_gradient("L")`: 256×256, row y has value y (0 at the top, 255 at the bottom).
    public static var linear: GreyImage {
        var image = GreyImage(width: 256, height: 256)
        for y in 0..<256 { for x in 0..<256 { image[x, y] = UInt8(y) } }
        return image
    }

    /// Pillow's `radial_gradient("L")`: 256×256, `min(255, ⌊√(2·((x−128)² + (y−128)²))⌋)`, 0 at the centre.
    public static var radial: GreyImage {
        var image = GreyImage(width: 256, height: 256)
        for y in 0..<256 {
            for x in 0..<256 {
                let dx = Double(x - 128), dy = Double(y - 128)
                image[x, y] = UInt8(min(255, Int((2 * (dx * dx + dy * dy)).squareRoot())))
            }
        }
        return image
    }

    /// Pillow's `rotate(degrees)` for multiples of 90 (counter-clockwise, exact transposes).
    public static func rotated(_ image: GreyImage, degrees: Int) -> GreyImage {
        let turns = ((degrees / 90) % 4 + 4) % 4
        var current = image
        for _ in 0..<turns {
            // One 90° counter-clockwise turn: source (x, y) lands at (y, width − 1 − x).
            var out = GreyImage(width: current.height, height: current.width)
            for y in 0..<current.height {
                for x in 0..<current.width { out[y, current.width - 1 - x] = current[x, y] }
            }
            current = out
        }
        return current
    }

    /// Pillow `resize(..., BICUBIC)` of an L image.
    static func bicubic(_ image: GreyImage, width: Int, height: Int) throws -> GreyImage {
        try image.resized(width: width, height: height, filter: .bicubic)
    }

    /// `image` pasted onto a black `width`×`height` L image at (x, y), clipped (Pillow's `paste`).
    static func pasted(_ image: GreyImage, onBlackOf width: Int, _ height: Int, x: Int, y: Int) -> GreyImage {
        var out = GreyImage(width: width, height: height)
        paste(image, into: &out, x: x, y: y)
        return out
    }

    static func paste(_ image: GreyImage, into canvas: inout GreyImage, x: Int, y: Int) {
        let area = canvas.bounds.intersection(PixelRect(x: x, y: y, width: image.width, height: image.height))
        guard !area.isEmpty else { return }
        for row in area.y..<area.maxY {
            for column in area.x..<area.maxX { canvas[column, row] = image[column - x, row - y] }
        }
    }

    /// Band pass "mirror" gradient, 256×256: the linear gradient squeezed into the top half and its 180° rotation into
    /// the bottom half, so 0 at the top and bottom edges and 255 in the middle.
    public static func mirror() throws -> GreyImage {
        let top = try bicubic(linear, width: 256, height: 128)
        let bottom = try bicubic(rotated(linear, degrees: 180), width: 256, height: 128)
        var out = GreyImage(width: 256, height: 256)
        paste(top, into: &out, x: 0, y: 0)
        paste(bottom, into: &out, x: 0, y: 128)
        return out
    }

    /// The band pass mask of a vertical seam: the mirror rotated 90° and resized to `seamWidth` × `imageHeight`.
    public static func verticalBand(seamWidth: Int, imageHeight: Int) throws -> GreyImage {
        try bicubic(rotated(try mirror(), degrees: 90), width: seamWidth, height: imageHeight)
    }

    /// The band pass mask of a horizontal seam: the mirror resized to `imageWidth` × `seamWidth`.
    public static func horizontalBand(seamWidth: Int, imageWidth: Int) throws -> GreyImage {
        try bicubic(try mirror(), width: imageWidth, height: seamWidth)
    }

    /// Half tile offset pass, horizontal seams: tile-sized, 0 at the top row, 255 at the centre row, 0 at the bottom.
    public static func halfTileRow(tileWidth: Int, tileHeight: Int) throws -> GreyImage {
        var out = GreyImage(width: tileWidth, height: tileHeight)
        paste(try bicubic(linear, width: tileWidth, height: tileHeight / 2), into: &out, x: 0, y: 0)
        paste(try bicubic(rotated(linear, degrees: 180), width: tileWidth, height: tileHeight / 2),
              into: &out, x: 0, y: tileHeight / 2)
        return out
    }

    /// Half tile offset pass, vertical seams: tile-sized, 0 at the left and right edges, 255 at the centre column.
    public static func halfTileColumn(tileWidth: Int, tileHeight: Int) throws -> GreyImage {
        var out = GreyImage(width: tileWidth, height: tileHeight)
        paste(try bicubic(rotated(linear, degrees: 90), width: tileWidth / 2, height: tileHeight), into: &out, x: 0, y: 0)
        paste(try bicubic(rotated(linear, degrees: 270), width: tileWidth / 2, height: tileHeight),
              into: &out, x: tileWidth / 2, y: 0)
        return out
    }

    /// Intersection pass: the radial gradient resized (bicubic) to the tile size, then inverted (255 at the centre).
    public static func intersection(tileWidth: Int, tileHeight: Int) throws -> GreyImage {
        try bicubic(radial, width: tileWidth, height: tileHeight).inverted
    }
}
