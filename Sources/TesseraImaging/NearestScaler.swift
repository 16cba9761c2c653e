/// Pillow's nearest-neighbour resize (its affine "scale" transform).
enum NearestScaler {
    static func render(_ image: RGBAImage, width: Int, height: Int, region: PixelRect, box: SourceBox) -> RGBAImage {
        let stepX = (box.x1 - box.x0) / Double(width)
        let stepY = (box.y1 - box.y0) / Double(height)
        // Pillow accumulates the x position by repeated addition; reproduce it from column 0
        // so every region sees the same rounding as the full image.
        var sourceColumn = [Int](repeating: -1, count: region.width)
        var position = box.x0 + stepX * 0.5
        for x in 0..<region.maxX {
            if x >= region.x {
                let column = position < 0 ? -1 : Int(position)
                sourceColumn[x - region.x] = column < image.width ? column : -1
            }
            position += stepX
        }
        // Rows are accumulated the same way.
        var sourceRow = [Int](repeating: -1, count: region.height)
        position = box.y0 + stepY * 0.5
        for y in 0..<region.maxY {
            if y >= region.y {
                let row = position < 0 ? -1 : Int(position)
                sourceRow[y - region.y] = row < image.height ? row : -1
            }
            position += stepY
        }
        var out = [UInt8](repeating: 0, count: region.width * region.height * 4)
        for y in region.y..<region.maxY {
            let row = sourceRow[y - region.y]
            guard row >= 0 else { continue }
            for x in 0..<region.width {
                let column = sourceColumn[x]
                guard column >= 0 else { continue }
                let from = (row * image.width + column) * 4
                let to = ((y - region.y) * region.width + x) * 4
                out[to] = image.pixels[from]
                out[to + 1] = image.pixels[from + 1]
                out[to + 2] = image.pixels[from + 2]
                out[to + 3] = image.pixels[from + 3]
            }
        }
        return RGBAImage(uncheckedWidth: region.width, height: region.height, pixels: out)
    }
}
