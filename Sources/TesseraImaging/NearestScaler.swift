/// Pillow's nearest-neighbour resize (its affine "scale" transform).
enum NearestScaler {
    /// Reads only `window`; fails when a mapped pixel lies outside it.
    static func render(_ window: SourceWindow, width: Int, height: Int, region: PixelRect, box: SourceBox) throws -> RGBAImage {
        let image = window.pixels
        let stepX = (box.x1 - box.x0) / Double(width)
        let stepY = (box.y1 - box.y0) / Double(height)
        // Pillow accumulates the x position by repeated addition; reproduce it from column 0
        // so every region sees the same rounding as the full image.
        var sourceColumn = [Int](repeating: -1, count: region.width)
        var position = box.x0 + stepX * 0.5
        for x in 0..<region.maxX {
            if x >= region.x {
                let column = position < 0 ? -1 : Int(position)
                sourceColumn[x - region.x] = column < window.sourceWidth ? column : -1
            }
            position += stepX
        }
        // Rows are accumulated the same way.
        var sourceRow = [Int](repeating: -1, count: region.height)
        position = box.y0 + stepY * 0.5
        for y in 0..<region.maxY {
            if y >= region.y {
                let row = position < 0 ? -1 : Int(position)
                sourceRow[y - region.y] = row < window.sourceHeight ? row : -1
            }
            position += stepY
        }
        let columns = sourceColumn.filter { $0 >= 0 }, rows = sourceRow.filter { $0 >= 0 }
        if let x0 = columns.min(), let x1 = columns.max(), let y0 = rows.min(), let y1 = rows.max() {
            try window.checkCovers(PixelRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1))
        }
        var out = [UInt8](repeating: 0, count: region.width * region.height * 4)
        for y in region.y..<region.maxY {
            guard sourceRow[y - region.y] >= 0 else { continue }
            let row = sourceRow[y - region.y] - window.rect.y
            for x in 0..<region.width {
                guard sourceColumn[x] >= 0 else { continue }
                let column = sourceColumn[x] - window.rect.x
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
