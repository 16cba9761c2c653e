/// A small, live picture of a tiled job while it runs: finished tiles show their rendered pixels (box-downscaled),
/// tiles being rendered are outlined in their worker's colour, and the rest of the canvas is a dim checkerboard.
///
/// The canvas keeps only the downscaled pixels (at most `maxSide` on the long side), so a 16K job costs a few MB no
/// matter how many tiles it has; marks (outlines) are drawn on a copy in `rendered(marks:)`, so a tile can move from
/// running to done without repainting.
public struct TileMapPreview: Sendable {
    /// A rectangle drawn over the canvas.
    public struct Mark: Sendable, Equatable {
        public enum State: Sendable, Equatable {
            /// Being rendered: a thick outline.
            case running
            /// Finished: a thin border, so the worker that made it stays visible.
            case done
        }

        public var rect: PixelRect
        public var state: State
        /// Index into `TileMapPreview.palette` (taken modulo its size), e.g. the worker's number.
        public var colour: Int

        public init(rect: PixelRect, state: State, colour: Int) {
            self.rect = rect
            self.state = state
            self.colour = colour
        }
    }

    /// Distinct, saturated colours for up to a dozen workers; more workers reuse them.
    public static let palette: [(r: UInt8, g: UInt8, b: UInt8)] = [
        (230, 60, 60), (60, 140, 240), (60, 200, 90), (250, 190, 40), (180, 90, 230), (40, 210, 210),
        (250, 120, 20), (240, 80, 180), (150, 210, 40), (120, 120, 255), (255, 255, 255), (160, 100, 50),
    ]

    /// Output size the preview stands for.
    public let targetWidth: Int
    public let targetHeight: Int
    /// The downscaled picture without marks.
    public private(set) var canvas: RGBAImage

    /// - Parameter maxSide: the preview's longer side; a target smaller than that is shown 1:1.
    public init(targetWidth: Int, targetHeight: Int, maxSide: Int = 1024) throws {
        guard targetWidth > 0, targetHeight > 0 else {
            throw ImagingError.invalidArgument(argument: "preview target size", problem: "\(targetWidth)×\(targetHeight) is empty")
        }
        guard maxSide > 0 else {
            throw ImagingError.invalidArgument(argument: "preview maxSide", problem: "must be positive, got \(maxSide)")
        }
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        let longer = max(targetWidth, targetHeight)
        let width = longer <= maxSide ? targetWidth : max(1, targetWidth * maxSide / longer)
        let height = longer <= maxSide ? targetHeight : max(1, targetHeight * maxSide / longer)
        var canvas = RGBAImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let light = ((x / 8) + (y / 8)) % 2 == 0
                let grey: UInt8 = light ? 48 : 36
                canvas.setPixel(x: x, y: y, (grey, grey, grey, 255))
            }
        }
        self.canvas = canvas
    }

    /// The output pixels `[start, end)` of preview column or row `index` along an axis of `target` output pixels
    /// shown as `preview` preview pixels.
    private static func block(_ index: Int, target: Int, preview: Int) -> Range<Int> {
        let start = index * target / preview
        return start..<max(start + 1, (index + 1) * target / preview)
    }

    /// The preview pixels whose output block starts inside `[start, end)`: each preview pixel belongs to exactly
    /// one region of a partition, so painting a partition tile by tile equals painting the whole image at once.
    private static func previewRange(_ start: Int, _ end: Int, target: Int, preview: Int) -> Range<Int> {
        // Smallest p with p·target/preview ≥ v is ⌈v·preview/target⌉.
        let first = (start * preview + target - 1) / target
        let last = (end * preview + target - 1) / target
        return min(first, preview)..<min(last, preview)
    }

    /// Paints the part `region` (output coordinates) of a rendered tile. `tile` holds the output pixels of
    /// `tileRect`; each preview pixel is the average of its output block, clipped to `tileRect`.
    public mutating func paint(_ tile: RGBAImage, covering tileRect: PixelRect, region: PixelRect) throws {
        guard tile.width == tileRect.width, tile.height == tileRect.height else {
            throw ImagingError.invalidArgument(
                argument: "preview tile", problem: "image is \(tile.width)×\(tile.height) but covers \(tileRect.width)×\(tileRect.height)")
        }
        let clipped = region.intersection(tileRect).intersection(PixelRect(x: 0, y: 0, width: targetWidth, height: targetHeight))
        guard !clipped.isEmpty else { return }
        let columns = Self.previewRange(clipped.x, clipped.maxX, target: targetWidth, preview: canvas.width)
        let rows = Self.previewRange(clipped.y, clipped.maxY, target: targetHeight, preview: canvas.height)
        for py in rows {
            let ys = Self.block(py, target: targetHeight, preview: canvas.height).clamped(to: tileRect.y..<tileRect.maxY)
            for px in columns {
                let xs = Self.block(px, target: targetWidth, preview: canvas.width).clamped(to: tileRect.x..<tileRect.maxX)
                guard !xs.isEmpty, !ys.isEmpty else { continue }
                var sum = (0, 0, 0)
                for y in ys {
                    for x in xs {
                        let p = tile.pixel(x: x - tileRect.x, y: y - tileRect.y)
                        // Transparent pixels are shown over black, as a viewer without a background would.
                        let a = Int(p.a)
                        sum.0 += Int(p.r) * a
                        sum.1 += Int(p.g) * a
                        sum.2 += Int(p.b) * a
                    }
                }
                let count = xs.count * ys.count * 255
                canvas.setPixel(
                    x: px, y: py,
                    (UInt8((sum.0 + count / 2) / count), UInt8((sum.1 + count / 2) / count),
                     UInt8((sum.2 + count / 2) / count), 255))
            }
        }
    }

    /// The canvas with `marks` drawn over it (later marks on top).
    public func rendered(marks: [Mark]) -> RGBAImage {
        var image = canvas
        for mark in marks {
            let colour = Self.palette[((mark.colour % Self.palette.count) + Self.palette.count) % Self.palette.count]
            outline(&image, previewRect(of: mark.rect), colour: (colour.r, colour.g, colour.b, 255),
                    thickness: mark.state == .running ? 3 : 1)
        }
        return image
    }

    /// The preview pixels covering output rectangle `rect`.
    public func previewRect(of rect: PixelRect) -> PixelRect {
        let columns = Self.previewRange(rect.x, rect.maxX, target: targetWidth, preview: canvas.width)
        let rows = Self.previewRange(rect.y, rect.maxY, target: targetHeight, preview: canvas.height)
        return PixelRect(x: columns.lowerBound, y: rows.lowerBound, width: columns.count, height: rows.count)
    }

    private func outline(_ image: inout RGBAImage, _ rect: PixelRect, colour: (UInt8, UInt8, UInt8, UInt8), thickness: Int) {
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
